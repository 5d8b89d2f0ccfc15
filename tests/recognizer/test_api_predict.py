"""POST /api/predictions/: one drawing in, a stored prediction out, or a 400 that stores nothing."""
import base64
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from recognizer.models import Drawing, ModelVersion
from tests.recognizer.digit_verdict import assert_digit_verdict

pytestmark = pytest.mark.django_db

FIELDS = {
    "id",
    "prediction",
    "confidence",
    "probabilities",
    "digit_score",
    "is_digit",
    "model_version",
    "created",
    "source",
    "image_url",
    "input_url",
    "suggested_label",
    "suggested_not_a_digit",
    "confirmed_label",
    "confirmed_not_a_digit",
}


def url() -> str:
    return reverse("recognizer:prediction-list")


def upload(data: bytes, name: str = "digit.png", content_type: str = "image/png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type)


def post_file(client, data: bytes, **kwargs):
    return client.post(url(), {"image": upload(data, **kwargs)}, format="multipart")


def test_multipart_png_is_predicted_and_stored(api_client, digit_image):
    png = digit_image(7)
    response = post_file(api_client, png)

    assert response.status_code == 201
    body = response.json()
    assert set(body) == FIELDS | {"delete_token"}  # shown in the creation answer only (test_api_delete)
    assert body["prediction"] == 7
    assert 0.5 < body["confidence"] <= 1
    assert len(body["probabilities"]) == 10 and sum(body["probabilities"]) == pytest.approx(1, abs=1e-3)
    assert body["source"] == "api"
    assert body["suggested_label"] is None and body["confirmed_label"] is None
    assert body["suggested_not_a_digit"] is False and body["confirmed_not_a_digit"] is False
    assert body["model_version"] == ModelVersion.objects.get(is_active=True).name
    assert body["image_url"] == f"/api/predictions/{body['id']}/image"
    assert body["input_url"] == f"/api/predictions/{body['id']}/input"
    drawing = Drawing.objects.get(pk=body["id"])
    assert bytes(drawing.image) == png
    assert drawing.content_type == "image/png"
    assert drawing.predicted_digit == 7 and drawing.source == "api"


@pytest.mark.parametrize("digit", [0, 4, 8])
def test_answer_says_whether_it_is_a_digit_as_stored(api_client, digit_image, digit):
    response = post_file(api_client, digit_image(digit))

    assert response.status_code == 201
    body = response.json()
    assert_digit_verdict(body)
    # The digit fields keep meaning the most likely digit, whatever the verdict.
    assert body["prediction"] == digit
    assert body["confidence"] == pytest.approx(max(body["probabilities"]), abs=1e-6)
    assert sum(body["probabilities"]) == pytest.approx(1, abs=1e-3)


def test_base64_json_is_predicted(api_client, digit_image):
    encoded = base64.b64encode(digit_image(2)).decode()
    response = api_client.post(url(), {"image": encoded}, format="json")

    assert response.status_code == 201
    assert response.json()["prediction"] == 2


def test_data_url_from_the_page_is_stored_with_source_page(api_client, digit_image):
    data_url = "data:image/png;base64," + base64.b64encode(digit_image(5)).decode()
    response = api_client.post(url(), {"image": data_url, "source": "page"}, format="json")

    assert response.status_code == 201
    assert response.json()["prediction"] == 5
    assert Drawing.objects.get().source == "page"


def test_stored_type_comes_from_the_bytes_not_the_client_claim(api_client, digit_image):
    response = post_file(api_client, digit_image(1, fmt="JPEG"), name="x.html", content_type="text/html")

    assert response.status_code == 201
    assert Drawing.objects.get().content_type == "image/jpeg"


def _png(size: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", (size, size), 255).save(buffer, format="PNG")
    return buffer.getvalue()


def _tiff(digit_png: bytes) -> bytes:
    buffer = io.BytesIO()
    Image.open(io.BytesIO(digit_png)).save(buffer, format="TIFF")
    return buffer.getvalue()


BAD_REQUESTS = {
    # name: (request arguments built from a good PNG and a blank PNG, words the error must contain)
    "no file": (lambda png, blank: ({}, "multipart"), "image: missing"),
    "wrong field name": (lambda png, blank: ({"file": upload(png)}, "multipart"), "image: missing"),
    "empty file": (lambda png, blank: ({"image": upload(b"")}, "multipart"), "empty"),
    "not an image": (lambda png, blank: ({"image": upload(b"hello, world")}, "multipart"), "not an image"),
    "truncated image": (lambda png, blank: ({"image": upload(png[: len(png) // 2])}, "multipart"), "truncated"),
    "unsupported format": (lambda png, blank: ({"image": upload(_tiff(png))}, "multipart"), "unsupported image format"),
    "blank drawing": (lambda png, blank: ({"image": upload(blank)}, "multipart"), "no digit found"),
    "invalid base64": (lambda png, blank: ({"image": "not base64 at all!"}, "json"), "not valid base64"),
    "base64 of nothing": (lambda png, blank: ({"image": ""}, "json"), "empty"),
    "data URL without base64": (lambda png, blank: ({"image": "data:image/png,abc"}, "json"), "data URL"),
    "image is a number": (lambda png, blank: ({"image": 5}, "json"), "expected a file upload or a base64 string"),
    "image is a list": (lambda png, blank: ({"image": ["a"]}, "json"), "expected a file upload or a base64 string"),
    "image is null": (lambda png, blank: ({"image": None}, "json"), "image: must not be null"),
    "body is a list": (lambda png, blank: ([1, 2], "json"), "Expected a dictionary"),
    "unknown source": (
        lambda png, blank: ({"image": base64.b64encode(png).decode(), "source": "seed"}, "json"),
        "source:",
    ),
}


@pytest.mark.parametrize("case", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_input_is_a_400_that_stores_nothing(api_client, digit_image, blank_png, case):
    build, words = case
    data, fmt = build(digit_image(4), blank_png)
    response = api_client.post(url(), data, format=fmt)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["status"] == "error" and words in body["error"]
    assert set(body) == {"status", "error"}
    assert not Drawing.objects.exists()


def test_invalid_json_is_a_400(api_client):
    response = api_client.post(url(), data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["status"] == "error" and "JSON parse error" in response.json()["error"]


def test_file_over_the_byte_limit_is_a_400(api_client, digit_image, settings):
    settings.DIGITS_MAX_UPLOAD_BYTES = 1000
    response = post_file(api_client, digit_image(4) + b"\0" * 2000)

    assert response.status_code == 400
    assert "image too large" in response.json()["error"]
    assert not Drawing.objects.exists()


def test_base64_over_the_byte_limit_is_a_400(api_client, settings):
    settings.DIGITS_MAX_UPLOAD_BYTES = 1000
    response = api_client.post(url(), {"image": "A" * 4000}, format="json")

    assert response.status_code == 400
    assert "image too large" in response.json()["error"]


def test_image_over_the_pixel_limit_is_a_400(api_client, settings):
    settings.DIGITS_MAX_PIXELS = 100 * 100
    response = post_file(api_client, _png(200))

    assert response.status_code == 400
    assert "image too large" in response.json()["error"]
    assert not Drawing.objects.exists()


def test_body_over_the_request_limit_is_a_413(api_client, settings):
    settings.DIGITS_MAX_UPLOAD_BYTES = 1000  # a single-image body may be ~1.3 KB + 64 KiB of slack
    response = post_file(api_client, b"\x89PNG" + b"\0" * 200_000)

    assert response.status_code == 413
    assert response.json() == {"status": "error", "error": response.json()["error"]}
    assert "too large" in response.json()["error"]
    assert not Drawing.objects.exists()


def test_missing_model_file_is_a_503(api_client, digit_image):
    # The active version's file disappears after activation (activation itself refuses a missing file).
    ModelVersion.objects.filter(is_active=True).update(is_active=False)
    ModelVersion.objects.create(name="gone", artifact="/nonexistent/model.tflite", sha256="0" * 64, is_active=True)
    response = post_file(api_client, digit_image(4))

    assert response.status_code == 503
    assert response.json()["status"] == "error" and "model" in response.json()["error"]
    assert not Drawing.objects.exists()
