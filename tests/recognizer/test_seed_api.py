"""The Flask demo's endpoints keep answering its clients exactly as before."""
import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from recognizer.models import Drawing, ModelVersion

pytestmark = pytest.mark.django_db


def test_predict_multipart_answers_like_the_demo_and_stores_a_seed_drawing(api_client, digit_image):
    response = api_client.post("/predict", {"image": SimpleUploadedFile("d.png", digit_image(7))}, format="multipart")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"prediction", "confidence", "status"}
    assert body["prediction"] == 7 and body["status"] == "success"
    assert body["confidence"] == round(body["confidence"], 4)
    assert Drawing.objects.get().source == "seed"


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
