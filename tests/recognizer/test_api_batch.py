"""POST /api/predictions/batch/: many drawings, one answer slot each, bad ones fail alone."""
import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from recognizer.models import Drawing
from tests.recognizer.digit_verdict import assert_digit_verdict

pytestmark = pytest.mark.django_db


def url() -> str:
    return reverse("recognizer:prediction-batch")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def test_multipart_files_are_answered_in_order(api_client, digit_image):
    files = [SimpleUploadedFile(f"{d}.png", digit_image(d), "image/png") for d in (0, 1, 2)]
    response = api_client.post(url(), {"images": files}, format="multipart")

    assert response.status_code == 201
    results = response.json()["results"]
    assert [r["prediction"] for r in results] == [0, 1, 2]
    assert all(r["status"] == "success" and r["source"] == "batch" for r in results)
    assert Drawing.objects.filter(source="batch").count() == 3


def test_each_result_says_whether_it_is_a_digit_as_stored(api_client, digit_image, blank_png):
    images = [b64(digit_image(3)), b64(blank_png), b64(digit_image(6))]
    response = api_client.post(url(), {"images": images}, format="json")

    assert response.status_code == 201
    good, bad, other = response.json()["results"]
    assert_digit_verdict(good)
    assert_digit_verdict(other)
    assert [good["prediction"], other["prediction"]] == [3, 6]
    assert set(bad) == {"status", "error"}


def test_a_bad_image_fails_only_its_own_slot(api_client, digit_image, blank_png):
    images = [b64(digit_image(8)), "%%%", b64(blank_png), 42, b64(digit_image(9))]
    response = api_client.post(url(), {"images": images}, format="json")

    assert response.status_code == 201
    results = response.json()["results"]
    assert results[0]["prediction"] == 8 and results[4]["prediction"] == 9
    assert results[1] == {"status": "error", "error": "not valid base64"}
    assert results[2] == {"status": "error", "error": "no digit found in the drawing"}
    assert results[3]["status"] == "error"
    stored = {str(pk) for pk in Drawing.objects.values_list("pk", flat=True)}
    assert stored == {results[0]["id"], results[4]["id"]}


def test_all_bad_images_store_nothing_and_answer_200(api_client, blank_png):
    response = api_client.post(url(), {"images": [b64(blank_png)]}, format="json")

    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "error"
    assert not Drawing.objects.exists()


def test_more_images_than_the_cap_is_a_400(api_client, digit_image, settings):
    settings.DIGITS_MAX_BATCH = 2
    response = api_client.post(url(), {"images": [b64(digit_image(1))] * 3}, format="json")

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "images: too many images: 3, the limit is 2"}
    assert not Drawing.objects.exists()


@pytest.mark.parametrize(
    "data",
    [{}, {"images": []}, {"images": "abc"}, {"image": "abc"}, [1]],
    ids=["no images", "empty list", "not a list", "wrong field name", "body is a list"],
)
def test_wrong_shapes_are_a_400(api_client, data):
    response = api_client.post(url(), data, format="json")

    assert response.status_code == 400
    assert response.json()["status"] == "error"
    assert not Drawing.objects.exists()


def test_batch_body_over_the_request_limit_is_a_413(api_client, settings):
    settings.DIGITS_MAX_REQUEST_BYTES = 10_000
    response = api_client.post(url(), {"images": ["A" * 20_000]}, format="json")

    assert response.status_code == 413
    assert response.json()["status"] == "error"
