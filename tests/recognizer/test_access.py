"""Who may write what: anonymous writes are throttled per address on every endpoint, labels that
train models are staff-only, and stored bytes only ever come back as an image."""
import base64

import pytest

from recognizer.models import Drawing

pytestmark = pytest.mark.django_db


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def one_prediction_a_minute(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"predict": "1/min"}}


@pytest.mark.parametrize("url, body", [
    ("/predict", lambda png: {"image": b64(png)}),
    ("/api/predictions/batch/", lambda png: {"images": [b64(png)]}),
])
def test_every_prediction_endpoint_shares_the_anonymous_budget(api_client, digit_image, one_prediction_a_minute, url, body):
    assert api_client.post("/api/predictions/", {"image": b64(digit_image(1))}).status_code == 201
    response = api_client.post(url, body(digit_image(2)), format="json")

    assert response.status_code == 429 and response.json()["status"] == "error"
    assert Drawing.objects.count() == 1


def test_signed_in_staff_are_not_throttled(staff_client, digit_image, one_prediction_a_minute):
    codes = [staff_client.post("/api/predictions/", {"image": b64(digit_image(1))}).status_code for _ in range(3)]

    assert codes == [201, 201, 201]


def test_signed_in_users_who_are_not_staff_cannot_confirm_labels(api_client, drawing, django_user_model):
    api_client.force_authenticate(django_user_model.objects.create_user("visitor"))
    response = api_client.patch(f"/api/predictions/{drawing.pk}/", {"confirmed_label": 3}, format="json")

    assert response.status_code == 403 and response.json() == {"status": "error", "error": "staff only"}
    drawing.refresh_from_db()
    assert drawing.confirmed_label is None


def test_a_stored_type_that_is_not_an_image_is_never_served(api_client, drawing):
    Drawing.objects.filter(pk=drawing.pk).update(image=b"<script>alert(1)</script>", content_type="text/html")
    response = api_client.get(f"/api/predictions/{drawing.pk}/image")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert b"<script>" not in response.content
