"""POST /api/predictions/preview/: the answer `POST /api/predictions/` would give, and nothing stored.

The page asks it while someone is still drawing, so every test here counts rows: a preview that left
one behind would put half-drawn digits in front of reviewers (issue 14).
"""
import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recognizer import metrics
from recognizer.models import Drawing, ModelVersion

pytestmark = pytest.mark.django_db

ANSWER_FIELDS = {"prediction", "confidence", "probabilities", "digit_score", "is_digit", "model_version"}


def url() -> str:
    return reverse("recognizer:prediction-preview")


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("digit.png", data, "image/png")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def stored_predictions_counted() -> float:
    return sum(s.value for family in metrics.PREDICTIONS.collect() for s in family.samples if s.name.endswith("_total"))


def test_a_preview_answers_like_a_prediction_and_stores_nothing(api_client, digit_image):
    png = digit_image(7)

    response = api_client.post(url(), {"image": upload(png)}, format="multipart")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == ANSWER_FIELDS  # no id, no delete token, no image URLs: there is nothing to point at
    assert body["prediction"] == 7
    assert body["confidence"] == pytest.approx(max(body["probabilities"]), abs=1e-6)
    assert sum(body["probabilities"]) == pytest.approx(1, abs=1e-3)
    assert body["model_version"] == ModelVersion.objects.get(is_active=True).name
    assert Drawing.objects.count() == 0


@pytest.mark.parametrize("label", [0, 4, 9])
def test_the_preview_is_the_very_answer_the_stored_prediction_gets(api_client, digit_image, label):
    image = b64(digit_image(label, nth=2))

    preview = api_client.post(url(), {"image": image}, format="json")
    assert Drawing.objects.count() == 0
    stored = api_client.post(reverse("recognizer:prediction-list"), {"image": image}, format="json")

    assert preview.status_code == 200 and stored.status_code == 201
    assert preview.json() == {field: stored.json()[field] for field in ANSWER_FIELDS}
    assert Drawing.objects.count() == 1


def test_the_pages_data_url_with_a_source_is_read_the_same_way(api_client, digit_image):
    data_url = "data:image/png;base64," + b64(digit_image(5))

    response = api_client.post(url(), {"image": data_url, "source": "page"}, format="json")

    assert response.status_code == 200
    assert response.json()["prediction"] == 5
    assert Drawing.objects.count() == 0


def test_a_preview_is_not_counted_as_a_stored_prediction(api_client, digit_image, django_capture_on_commit_callbacks):
    image = b64(digit_image(3))
    before = stored_predictions_counted()

    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(url(), {"image": image}, format="json").status_code == 200
    after_preview = stored_predictions_counted()
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(reverse("recognizer:prediction-list"), {"image": image}, format="json").status_code == 201

    assert after_preview == before
    assert stored_predictions_counted() == before + 1


BAD_REQUESTS = {
    # name: (request arguments from a good PNG and a blank PNG, words the error must contain)
    "no file": (lambda png, blank: ({}, "multipart"), "image: missing"),
    "not an image": (lambda png, blank: ({"image": upload(b"hello, world")}, "multipart"), "not an image"),
    "truncated image": (lambda png, blank: ({"image": upload(png[: len(png) // 2])}, "multipart"), "truncated"),
    "blank drawing": (lambda png, blank: ({"image": upload(blank)}, "multipart"), "no digit found"),
    "invalid base64": (lambda png, blank: ({"image": "not base64 at all!"}, "json"), "not valid base64"),
    "image is a number": (lambda png, blank: ({"image": 5}, "json"), "expected a file upload or a base64 string"),
    "image is null": (lambda png, blank: ({"image": None}, "json"), "image: must not be null"),
    "body is a list": (lambda png, blank: ([1, 2], "json"), "Expected a dictionary"),
}


@pytest.mark.parametrize("case", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_bad_input_is_the_same_400_as_for_a_prediction(api_client, digit_image, blank_png, case):
    build, words = case
    data, fmt = build(digit_image(4), blank_png)

    response = api_client.post(url(), data, format=fmt)

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"status", "error"} and response.json()["status"] == "error"
    assert words in response.json()["error"]
    assert Drawing.objects.count() == 0


def test_an_image_over_the_byte_limit_is_a_400(api_client, digit_image, settings):
    settings.DIGITS_MAX_UPLOAD_BYTES = 1000

    response = api_client.post(url(), {"image": upload(digit_image(4) + b"\0" * 2000)}, format="multipart")

    assert response.status_code == 400
    assert "image too large" in response.json()["error"]


def test_a_body_over_the_request_limit_is_a_413(api_client, settings):
    settings.DIGITS_MAX_UPLOAD_BYTES = 1000
    response = api_client.post(url(), {"image": upload(b"\x89PNG" + b"\0" * 200_000)}, format="multipart")

    assert response.status_code == 413
    assert response.json()["status"] == "error" and "too large" in response.json()["error"]


@pytest.mark.fresh_database
def test_without_an_active_model_it_is_a_503(api_client, digit_image):
    response = api_client.post(url(), {"image": b64(digit_image(4))}, format="json")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert Drawing.objects.count() == 0


def rates(settings, **scopes):
    current = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**current, **scopes}}


def test_previews_have_their_own_budget_apart_from_predictions(api_client, digit_image, settings):
    """Many previews while drawing must not use up the Predict that follows, nor the other way round."""
    rates(settings, preview="2/min", predict="1/min")
    image = {"image": b64(digit_image(1))}
    predictions = reverse("recognizer:prediction-list")

    assert api_client.post(predictions, image, format="json").status_code == 201
    assert api_client.post(predictions, image, format="json").status_code == 429
    assert [api_client.post(url(), image, format="json").status_code for _ in range(2)] == [200, 200]
    throttled = api_client.post(url(), image, format="json")

    assert throttled.status_code == 429
    assert throttled.json()["status"] == "error"
    assert 0 < int(throttled["Retry-After"]) <= 60
    assert Drawing.objects.count() == 1


def test_signed_in_users_get_the_user_preview_rate_and_staff_none(api_client, staff_client, digit_image, settings,
                                                                   django_user_model):
    rates(settings, preview="1/min", user_preview="2/min")
    api_client.force_authenticate(django_user_model.objects.create_user("drawer", password="pw-drawer-1"))
    image = {"image": b64(digit_image(6))}

    assert [api_client.post(url(), image, format="json").status_code for _ in range(3)] == [200, 200, 429]
    assert [staff_client.post(url(), image, format="json").status_code for _ in range(3)] == [200, 200, 200]


def test_the_preview_rate_is_its_own_setting(settings):
    """DIGITS_ANON_PREVIEW_RATE (docs/operations.md); the default when it is unset is generous: a
    preview follows every pause in drawing, and is much cheaper than a stored prediction."""
    import os

    configured = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["preview"]
    assert configured == (os.environ.get("DIGITS_ANON_PREVIEW_RATE", "600/min") or None)
