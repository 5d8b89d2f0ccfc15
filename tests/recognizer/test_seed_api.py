"""The Flask demo's endpoints keep answering its clients as before, now also saying whether it is a digit."""
import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recognizer.models import Drawing, ModelVersion
from tests.recognizer.digit_verdict import assert_digit_verdict

SEED_FIELDS = {"prediction", "confidence", "digit_score", "is_digit", "status"}
BOTH_PATHS = ["/predict", "/predict/"]

pytestmark = pytest.mark.django_db


def test_predict_multipart_answers_like_the_demo_and_stores_a_seed_drawing(api_client, digit_image):
    response = api_client.post("/predict", {"image": SimpleUploadedFile("d.png", digit_image(7))}, format="multipart")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == SEED_FIELDS
    assert body["prediction"] == 7 and body["status"] == "success"
    assert body["confidence"] == round(body["confidence"], 4)
    assert Drawing.objects.get().source == "seed"
    assert_digit_verdict(body, decimals=4)


def test_predict_base64_json(api_client, digit_image):
    response = api_client.post("/predict", {"image": base64.b64encode(digit_image(0)).decode()}, format="json")

    assert response.status_code == 200
    assert response.json()["prediction"] == 0


def test_predict_bad_input_is_a_400_in_the_demo_shape(api_client, blank_png):
    response = api_client.post("/predict", {"image": SimpleUploadedFile("d.png", blank_png)}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "no digit found in the drawing"}
    assert not Drawing.objects.exists()


def test_predict_ignores_session_csrf(staff_user, digit_image):
    from rest_framework.test import APIClient

    client = APIClient(enforce_csrf_checks=True)
    client.login(username="reviewer", password="pw-reviewer-1")
    response = client.post("/predict", {"image": base64.b64encode(digit_image(1)).decode()}, format="json")

    assert response.status_code == 200


def test_health_reports_the_loaded_model(api_client):
    response = api_client.get("/health")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "model_loaded": True,
        "model_version": ModelVersion.objects.get(is_active=True).name,
        "database": "ok",
    }


def test_health_is_503_when_the_model_cannot_load(api_client):
    # The active version's file disappears after activation (activation itself refuses a missing file).
    ModelVersion.objects.filter(is_active=True).update(is_active=False)
    ModelVersion.objects.create(name="broken", artifact="/nonexistent.tflite", sha256="0" * 64, is_active=True)
    response = api_client.get("/health")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error" and body["model_loaded"] is False
    assert body["model_version"] == "broken" and body["database"] == "ok"


def data_url(image: bytes, media_type: str = "image/jpeg") -> str:
    return f"data:{media_type};base64," + base64.b64encode(image).decode()


@pytest.mark.parametrize("path", BOTH_PATHS)
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded; charset=UTF-8", "text/plain"])
def test_the_demo_pages_raw_data_url_body_is_predicted(api_client, digit_image, path, content_type):
    """The demo page posts canvas.toDataURL() (a JPEG) as the whole body, with no field name."""
    jpeg = digit_image(2, fmt="JPEG")
    response = api_client.post(path, data=data_url(jpeg), content_type=content_type)

    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == SEED_FIELDS and body["prediction"] == 2 and body["status"] == "success"
    drawing = Drawing.objects.get()
    assert bytes(drawing.image) == jpeg and drawing.content_type == "image/jpeg" and drawing.source == "seed"
    assert_digit_verdict(body, decimals=4)


def test_a_raw_data_url_keeps_base64_plus_and_padding(api_client, digit_image):
    """As a form, `+` would become a space and `=` a key/value split; the raw body keeps both."""
    encoded = next(
        url for nth in range(20) if "+" in (url := data_url(digit_image(5, nth=nth, fmt="JPEG"))) and url.endswith("=")
    )
    response = api_client.post("/predict/", data=encoded, content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200, response.content
    assert response.json()["prediction"] == 5


@pytest.mark.parametrize("path", BOTH_PATHS)
def test_json_and_multipart_work_at_both_paths(api_client, digit_image, path):
    as_json = api_client.post(path, {"image": data_url(digit_image(4, fmt="JPEG"))}, format="json")
    as_file = api_client.post(path, {"image": SimpleUploadedFile("d.png", digit_image(6))}, format="multipart")

    assert (as_json.status_code, as_file.status_code) == (200, 200)
    assert (as_json.json()["prediction"], as_file.json()["prediction"]) == (4, 6)


BAD_RAW_BODIES = {
    # name: (body, content type, words the error must contain)
    "not base64": ("data:image/jpeg;base64,%%%not-base64%%%", "application/x-www-form-urlencoded", "not valid base64"),
    "no base64 marker": ("data:image/jpeg,abc", "application/x-www-form-urlencoded", "data URL"),
    "empty image": ("data:image/jpeg;base64,", "application/x-www-form-urlencoded", "empty"),
    "not an image": ("data:image/jpeg;base64," + base64.b64encode(b"hello").decode(), "text/plain", "not an image"),
    "not a data URL": ("hello there", "text/plain", "must be a data: URL"),
    "a form without image": ("picture=abc", "application/x-www-form-urlencoded", "image: missing"),
    "non-ASCII": ("data:image/jpeg;base64,é", "text/plain; charset=utf-8", "ASCII"),
}


@pytest.mark.parametrize("path", BOTH_PATHS)
@pytest.mark.parametrize("case", BAD_RAW_BODIES.values(), ids=BAD_RAW_BODIES.keys())
def test_a_bad_raw_body_is_a_400_json_that_stores_nothing(api_client, path, case):
    body, content_type, words = case
    response = api_client.post(path, data=body.encode(), content_type=content_type)

    assert response.status_code == 400, response.content
    answer = response.json()
    assert set(answer) == {"status", "error"} and answer["status"] == "error" and words in answer["error"]
    assert not Drawing.objects.exists()


def test_a_raw_blank_drawing_is_refused_like_the_demo(api_client, blank_png):
    response = api_client.post("/predict/", data=data_url(blank_png, "image/png"), content_type="text/plain")

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "no digit found in the drawing"}
    assert not Drawing.objects.exists()
