"""/api/numbers/: a number written with real MNIST digits in, its reading and stored digits out; every
bad input a 400 (or 401/403/404/413/429) that says why and stores nothing."""
import base64
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from recognizer.models import Drawing, ModelVersion, Number
from tests.recognizer.number_images import activate_refusing_version, compose, exif_rotated_jpeg, number_png, shapes_png

pytestmark = pytest.mark.django_db

URL = "/api/numbers/"
FIELDS = {
    "id", "number", "confidence", "digits", "rejected", "model_version", "created", "source", "width", "height",
    "image_url", "suggested_number", "confirmed_number", "confirmed_count_differs",
}
DIGIT_FIELDS = {"prediction", "confidence", "probabilities", "is_digit", "digit_score", "box", "drawing", "input_url"}


@pytest.fixture(scope="module")
def png_2026(mnist_test) -> bytes:
    return number_png(mnist_test, "2026")


def post_file(client, data: bytes, name="number.png", content_type="image/png"):
    return client.post(URL, {"image": SimpleUploadedFile(name, data, content_type)}, format="multipart")


def stored_nothing() -> bool:
    return not Number.objects.exists() and not Drawing.objects.exists()


@pytest.fixture
def number(api_client, png_2026) -> dict:
    response = post_file(api_client, png_2026)
    assert response.status_code == 201, response.content
    return response.json()


# --- reading ---------------------------------------------------------------------------------------


def test_a_written_number_is_read_left_to_right_and_stored(number, png_2026):
    assert set(number) == FIELDS
    assert number["number"] == "2026"
    assert number["model_version"] == ModelVersion.objects.get(is_active=True).name
    assert number["source"] == "api" and number["suggested_number"] is None and number["confirmed_number"] is None
    image = Image.open(io.BytesIO(png_2026))
    assert (number["width"], number["height"]) == image.size
    product = 1.0
    for digit in number["digits"]:
        assert set(digit) == DIGIT_FIELDS
        assert len(digit["probabilities"]) == 10 and sum(digit["probabilities"]) == pytest.approx(1, abs=1e-3)
        assert digit["is_digit"] is True and 0 <= digit["digit_score"] <= 1
        product *= digit["confidence"]
    assert number["confidence"] == pytest.approx(product, abs=1e-5)
    assert "".join(str(d["prediction"]) for d in number["digits"]) == number["number"]


def test_digit_boxes_are_in_order_inside_the_image_and_each_in_its_own_square(number):
    """Each MNIST digit was placed in its own 140 px square at 20 + 150*i: its box lies inside it."""
    for i, digit in enumerate(number["digits"]):
        x, y, width, height = digit["box"]
        square_left = 20 + 150 * i
        assert square_left <= x and x + width <= square_left + 140, (i, digit["box"])
        assert 20 <= y and y + height <= 160 and width > 5 and height > 50


def test_every_digit_is_a_stored_drawing_of_the_number(number):
    drawings = Drawing.objects.filter(number_id=number["id"]).order_by("position")
    assert [str(d.pk) for d in drawings] == [d["drawing"] for d in number["digits"]]
    for position, (drawing, digit) in enumerate(zip(drawings, number["digits"])):
        assert drawing.source == Drawing.Source.NUMBER and drawing.position == position
        assert drawing.box == digit["box"] and drawing.predicted_digit == digit["prediction"]
        assert digit["input_url"] == f"/api/predictions/{drawing.pk}/input"


def test_the_stored_number_can_be_read_back_and_its_image_is_the_upload(api_client, number, png_2026):
    response = api_client.get(f"{URL}{number['id']}/")
    assert response.status_code == 200 and response.json() == number

    image = api_client.get(number["image_url"])
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content if image.streaming else [image.content]) == png_2026


def test_a_digit_of_a_number_is_served_like_any_prediction(api_client, number):
    digit = number["digits"][1]
    response = api_client.get(f"/api/predictions/{digit['drawing']}/")
    assert response.status_code == 200
    assert response.json()["source"] == "number" and response.json()["prediction"] == digit["prediction"]
    crop = api_client.get(f"/api/predictions/{digit['drawing']}/image")
    assert crop["Content-Type"] == "image/png"


@pytest.mark.parametrize("prefix", ["", "data:image/png;base64,"])
def test_json_base64_and_data_urls_are_read_like_files(api_client, png_2026, prefix):
    body = {"image": prefix + base64.b64encode(png_2026).decode(), "source": "page"}
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 201
    assert response.json()["number"] == "2026" and response.json()["source"] == "page"


def test_boxes_of_an_exif_rotated_jpeg_are_in_upright_pixels(api_client, mnist_test):
    mask = compose(mnist_test, "2026")
    upright = post_file(api_client, number_png(mnist_test, "2026")).json()
    rotated = post_file(api_client, exif_rotated_jpeg(mask), "number.jpg", "image/jpeg").json()

    assert (rotated["width"], rotated["height"]) == (mask.shape[1], mask.shape[0])
    assert rotated["number"] == upright["number"] == "2026"
    for a, b in zip(rotated["digits"], upright["digits"]):
        assert all(abs(p - q) <= 3 for p, q in zip(a["box"], b["box"])), (a["box"], b["box"])


def test_ink_without_any_digit_is_stored_with_an_empty_number(api_client):
    """Stars, read by a version whose not-a-digit threshold refuses every piece (what counts as a digit
    is the reader's business, tested in tests/ml; here: what the API does when nothing does)."""
    activate_refusing_version()
    response = post_file(api_client, shapes_png())
    assert response.status_code == 201
    body = response.json()
    assert body["number"] == "" and body["digits"] == [] and body["confidence"] == 0
    assert len(body["rejected"]) >= 1
    assert all(set(piece) == {"box", "digit_score"} and len(piece["box"]) == 4 for piece in body["rejected"])
    assert Number.objects.filter(pk=body["id"], number="").exists() and not Drawing.objects.exists()


# --- bad input: a 400 that says why, nothing stored ------------------------------------------------


def test_a_blank_image_is_refused_as_having_no_ink(api_client, blank_png):
    response = post_file(api_client, blank_png)
    assert response.status_code == 400
    assert "no" in response.json()["error"] and "found" in response.json()["error"]
    assert stored_nothing()


def test_bytes_that_are_no_image_are_refused(api_client):
    response = post_file(api_client, b"%PDF-1.4 not an image")
    assert response.status_code == 400 and "not an image" in response.json()["error"]
    assert stored_nothing()


def test_more_than_32_digits_are_refused(api_client, mnist_test):
    response = post_file(api_client, number_png(mnist_test, "1234567890" * 4, side=56, gap=8))
    assert response.status_code == 400 and "too many digits" in response.json()["error"]
    assert stored_nothing()


def test_an_image_over_the_byte_limit_is_refused(api_client, settings, png_2026):
    settings.DIGITS_MAX_UPLOAD_BYTES = len(png_2026) - 1
    response = post_file(api_client, png_2026)
    assert response.status_code == 400 and "too large" in response.json()["error"]
    assert stored_nothing()


def test_an_image_over_the_pixel_limit_is_refused(api_client, settings, png_2026):
    settings.DIGITS_MAX_PIXELS = 10_000
    response = post_file(api_client, png_2026)
    assert response.status_code == 400 and "pixels" in response.json()["error"]
    assert stored_nothing()


@pytest.mark.parametrize("body", [{}, {"image": ""}, {"image": "not base64!"}, {"image": 5}, {"image": None}])
def test_a_missing_or_unreadable_image_field_is_refused(api_client, body):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400 and response.json()["error"].startswith("image")
    assert stored_nothing()


def test_a_body_over_the_limit_is_a_413_before_it_is_read(api_client):
    response = api_client.generic("POST", URL, b"", content_type="application/json", CONTENT_LENGTH=str(10**9))
    assert response.status_code == 413


def test_reading_is_throttled_with_the_predictions(api_client, settings, png_2026):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "predict": "1/min"}}
    assert post_file(api_client, png_2026).status_code == 201
    response = post_file(api_client, png_2026)
    assert response.status_code == 429 and response["Retry-After"].isdigit()


@pytest.mark.parametrize("pk", [str(uuid.uuid4()), "not-a-uuid"])
def test_an_unknown_number_is_a_404(api_client, pk):
    for response in (api_client.get(f"{URL}{pk}/"), api_client.get(f"{URL}{pk}/image")):
        assert response.status_code == 404 and response.json()["error"] == "no number with this id"


# --- feedback --------------------------------------------------------------------------------------


def feedback(client, number, body):
    return client.post(f"{URL}{number['id']}/feedback/", body, format="json")


def test_feedback_with_as_many_digits_suggests_each_digit(api_client, number):
    response = feedback(api_client, number, {"number": "2028"})
    assert response.status_code == 200 and response.json()["suggested_number"] == "2028"
    labels = Drawing.objects.filter(number_id=number["id"]).order_by("position").values_list("suggested_label", flat=True)
    assert list(labels) == [2, 0, 2, 8]


def test_feedback_with_another_count_is_kept_on_the_number_and_withdraws_digit_suggestions(api_client, number):
    feedback(api_client, number, {"number": "2028"})
    response = feedback(api_client, number, {"number": "20260"})
    assert response.status_code == 200 and response.json()["suggested_number"] == "20260"
    assert not Drawing.objects.filter(number_id=number["id"], suggested_label__isnull=False).exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"number": ""}, {"number": "20a6"}, {"number": 2026}, {"number": "2" * 33}, {"number": "２０２６"},
     {"number": " 2026"}, {"number": None}, {"number": "2026", "label": 3}],
)
def test_feedback_that_is_not_1_to_32_digits_is_refused(api_client, number, body):
    response = feedback(api_client, number, body)
    assert response.status_code == 400 and response.json()["status"] == "error"
    assert Number.objects.get(pk=number["id"]).suggested_number == ""


def test_feedback_is_throttled(api_client, settings, number):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "feedback": "1/min"}}
    assert feedback(api_client, number, {"number": "2026"}).status_code == 200
    assert feedback(api_client, number, {"number": "2026"}).status_code == 429


# --- staff: list and confirm -----------------------------------------------------------------------


def confirm(client, number, value):
    return client.patch(f"{URL}{number['id']}/", {"confirmed_number": value}, format="json")


def test_confirming_as_many_digits_confirms_each_digit_label(staff_client, staff_user, number):
    response = confirm(staff_client, number, "2028")
    body = response.json()
    assert response.status_code == 200 and body["confirmed_number"] == "2028" and not body["confirmed_count_differs"]
    drawings = Drawing.objects.filter(number_id=number["id"]).order_by("position")
    assert [d.confirmed_label for d in drawings] == [2, 0, 2, 8]
    assert all(d.confirmed_by == staff_user and d.confirmed_at for d in drawings)


def test_confirming_another_count_flags_the_number_and_leaves_digit_labels(staff_client, number):
    response = confirm(staff_client, number, "202")
    assert response.status_code == 200 and response.json()["confirmed_count_differs"] is True
    assert not Drawing.objects.filter(number_id=number["id"], confirmed_label__isnull=False).exists()


def test_confirming_null_clears_the_number_confirmation(staff_client, number):
    confirm(staff_client, number, "202")
    response = confirm(staff_client, number, None)
    assert response.status_code == 200
    assert response.json()["confirmed_number"] is None and response.json()["confirmed_count_differs"] is False


@pytest.mark.parametrize("body", [{}, {"confirmed_number": "x"}, {"confirmed_number": 2026}, {"confirmed_number": ""},
                                  {"confirmed_number": "1" * 33}, {"confirmed_number": "2026", "number": "1"}])
def test_a_bad_confirmation_is_refused(staff_client, number, body):
    response = staff_client.patch(f"{URL}{number['id']}/", body, format="json")
    assert response.status_code == 400 and response.json()["status"] == "error"
    assert Number.objects.get(pk=number["id"]).confirmed_number == ""


def test_only_staff_list_and_confirm(api_client, django_user_model, number):
    assert api_client.get(URL).status_code in (401, 403)
    assert confirm(api_client, number, "2026").status_code in (401, 403)
    api_client.force_authenticate(django_user_model.objects.create_user("visitor"))
    assert api_client.get(URL).status_code == 403
    assert confirm(api_client, number, "2026").status_code == 403
    assert Number.objects.get(pk=number["id"]).confirmed_number == ""


def test_confirming_an_unknown_number_is_a_404(staff_client):
    response = staff_client.patch(f"{URL}{uuid.uuid4()}/", {"confirmed_number": "1"}, format="json")
    assert response.status_code == 404


def list_ids(client, **query) -> list[str]:
    response = client.get(URL, query)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_staff_list_numbers_newest_first_with_review_filters(staff_client, api_client, number):
    activate_refusing_version()
    empty = post_file(api_client, shapes_png()).json()
    assert list_ids(staff_client) == [empty["id"], number["id"]]
    confirm(staff_client, number, "20")

    assert list_ids(staff_client, confirmed="true") == [number["id"]]
    assert list_ids(staff_client, confirmed="false") == [empty["id"]]
    assert list_ids(staff_client, count_differs="true") == [number["id"]]
    assert list_ids(staff_client, disagreement="true") == [number["id"]]
    assert list_ids(staff_client, empty="true") == [empty["id"]]
    assert list_ids(staff_client, model_version=number["model_version"]) == [number["id"]]
    assert list_ids(staff_client, model_version=empty["model_version"]) == [empty["id"]]
    assert list_ids(staff_client, model_version="no-such-version") == []
    assert list_ids(staff_client, created_after=number["created"]) == [empty["id"], number["id"]]
    assert list_ids(staff_client, created_before=number["created"]) == []


@pytest.mark.parametrize("query", [{"confirmed": "maybe"}, {"max_confidence": "2"}, {"created_after": "yesterday"},
                                   {"page": "0"}, {"page_size": "x"}])
def test_an_unreadable_list_filter_is_a_400(staff_client, number, query):
    response = staff_client.get(URL, query)
    assert response.status_code == 400 and response.json()["status"] == "error"


# --- the answers match the OpenAPI schema (random data never reaches a 201: it is never a number) ---


def test_successful_answers_match_the_schema(connections_kept, png_2026, staff_token):
    from tests.recognizer.test_schemathesis import CHECKS, schema

    as_json = {"media_type": "application/json"}
    body = {"image": base64.b64encode(png_2026).decode()}
    created = schema["/api/numbers/"]["POST"].Case(body=body, **as_json).call()
    assert created.status_code == 201, created.text[:300]
    on_number = {"path_parameters": {"id": created.json()["id"]}}
    answers = [
        ("GET", "/api/numbers/", {"query": {"page_size": "1"}}),
        ("GET", "/api/numbers/{id}/", on_number),
        ("GET", "/api/numbers/{id}/image", on_number),
        ("POST", "/api/numbers/{id}/feedback/", {"body": {"number": "2026"}, **as_json, **on_number}),
        ("PATCH", "/api/numbers/{id}/", {"body": {"confirmed_number": "2026"}, **as_json, **on_number}),
        ("PATCH", "/api/numbers/{id}/", {"body": {"confirmed_number": "20"}, **as_json, **on_number}),
        ("PATCH", "/api/numbers/{id}/", {"body": {"confirmed_number": None}, **as_json, **on_number}),
    ]
    schema["/api/numbers/"]["POST"].Case(body=body, **as_json).validate_response(created, checks=CHECKS)
    for method, path, arguments in answers:
        case = schema[path][method].Case(**arguments)
        response = case.call(headers={"Authorization": f"Token {staff_token}"})

        assert response.status_code < 300, (method, path, response.status_code, response.text[:200])
        case.validate_response(response, checks=CHECKS)


@pytest.mark.fresh_database
def test_the_answer_without_a_model_is_the_documented_503(connections_kept, png_2026):
    from schemathesis.checks import not_a_server_error

    from tests.recognizer.test_schemathesis import CHECKS, schema

    case = schema["/api/numbers/"]["POST"].Case(body={"image": base64.b64encode(png_2026).decode()},
                                                media_type="application/json")
    response = case.call()

    assert response.status_code == 503 and not Number.objects.exists()
    case.validate_response(response, checks=[check for check in CHECKS if check is not not_a_server_error])
