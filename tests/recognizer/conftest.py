"""Real MNIST test digits, drawn the way a browser sends them, and API clients for each kind of user."""
import io

import numpy as np
import pytest
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from PIL import Image
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from ml.canvas import encode, stroke_mask, to_image

CANVAS = 280  # the page's canvas side


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """Throttle counters live in the cache; each test starts with none spent."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def digit_image(mnist_test):
    """`digit_image(7)` → the first MNIST test 7 drawn as a browser canvas sends it (`nth=` for others)."""
    images, labels = mnist_test

    def make(label: int, *, nth: int = 0, fmt: str = "PNG") -> bytes:
        index = np.flatnonzero(labels == label)[nth]
        return encode(to_image(stroke_mask(images[index], CANVAS)), fmt)

    return make


@pytest.fixture
def blank_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (CANVAS, CANVAS), "white").save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user("reviewer", password="pw-reviewer-1", is_staff=True)


@pytest.fixture
def staff_client(staff_user) -> APIClient:
    client = APIClient()
    client.force_authenticate(staff_user)
    return client


@pytest.fixture
def staff_token(staff_user) -> str:
    return Token.objects.create(user=staff_user).key


@pytest.fixture
def drawing(db, digit_image):
    """A stored drawing of a 3, predicted by the shipped model."""
    from recognizer.services import drawing_create

    return drawing_create(image=digit_image(3), source="api")


@pytest.fixture
def connections_kept():
    """Django closes the connection after each request, which would end the test's transaction; the
    test client stops that the same way for its own requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
