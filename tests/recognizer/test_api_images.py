"""The stored drawing and its 28x28 model input, served as images."""
import io

import numpy as np
import pytest
from PIL import Image

from ml.preprocess import png_to_input, preprocess

pytestmark = pytest.mark.django_db


def test_original_is_served_as_uploaded_with_its_image_type(api_client, digit_image):
    from recognizer.services import drawing_create

    jpeg = digit_image(6, fmt="JPEG")
    drawing = drawing_create(image=jpeg, source="api", content_type="application/octet-stream")
    response = api_client.get(f"/api/predictions/{drawing.pk}/image")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response.content == jpeg
    assert response["X-Content-Type-Options"] == "nosniff"


def test_input_is_the_28x28_png_the_model_saw(api_client, drawing, digit_image):
    response = api_client.get(f"/api/predictions/{drawing.pk}/input")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(response.content)).size == (28, 28)
    expected = preprocess(digit_image(3))
    assert np.abs(png_to_input(response.content) - expected).max() <= 1 / 255


def test_images_are_served_to_img_tags_whatever_they_accept(api_client, drawing):
    response = api_client.get(f"/api/predictions/{drawing.pk}/image", HTTP_ACCEPT="image/avif,image/webp")

    assert response.status_code == 200


@pytest.mark.parametrize("kind", ["image", "input"])
@pytest.mark.parametrize("pk", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_unknown_drawing_image_is_a_json_404(api_client, kind, pk):
    response = api_client.get(f"/api/predictions/{pk}/{kind}")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "error": "no drawing with this id"}
