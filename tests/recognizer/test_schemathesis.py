"""The API under fuzzing: schemathesis sends requests generated from the project's own OpenAPI schema.

Every operation in `/api/schema/` is called in-process through Django's WSGI handler, anonymously and
with a staff token, with schema-valid and schema-violating data. Each answer must not be a 5xx, must
have a documented status code, content type and headers, must match the documented body, and a
request that breaks the schema must be refused.

Not checked: that every schema-valid request is accepted. The schema can say "a string" but not "a
decodable image", nor "label or not_a_digit, not both", so such requests rightly get a 400. Random
bytes are never a digit either, so the success answers (and the 503 without a model) are checked with
hand-made cases on real MNIST digits below.

Bounded and repeatable: MAX_EXAMPLES generated cases per operation (plus schemathesis's own boundary
cases), derandomized so every run sends the same requests, no example database.
"""
import base64

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

SCHEMA_URL = "/api/schema/?format=json"
MAX_EXAMPLES = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
# The batch refuses a bad item in its own slot (an error entry, 200 when none was stored), whatever is
# wrong with it, a wrong type included: that answer is its documented way of refusing.
BATCH = ("POST", "/api/predictions/batch/")
FUZZ_SETTINGS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    # The test's database transaction spans all of an operation's cases on purpose; some cases are slow.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, WSGIHandler())


def call_and_validate(case, **kwargs) -> None:
    response = case.call(**kwargs)
    checks = CHECKS
    if (case.method.upper(), case.path) == BATCH and response.status_code == 200:
        checks = [check for check in CHECKS if check is not negative_data_rejection]
    case.validate_response(response, checks=checks, headers=kwargs.get("headers"))


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_anonymous_requests_get_documented_answers(case, connections_kept):
    call_and_validate(case)


@pytest.mark.slow
@pytest.mark.django_db
@schema.parametrize()
@FUZZ_SETTINGS
def test_staff_requests_on_a_stored_drawing_get_documented_answers(case, connections_kept, staff_token, drawing):
    """With a staff token, and the `{id}` of a real drawing, so feedback and confirmation reach the services."""
    if case.path_parameters and "id" in case.path_parameters:
        case.path_parameters["id"] = str(drawing.pk)
    call_and_validate(case, headers={"Authorization": f"Token {staff_token}"})



# --- Answers random data never reaches: a real digit, a stored drawing, no model ------------------


def digit_answers(png: str, drawing_id: str) -> list[tuple[str, str, dict]]:
    """(method, path, Case arguments) whose answers are successes: random bytes never decode as an image."""
    on_drawing = {"path_parameters": {"id": drawing_id}}
    as_json = {"media_type": "application/json"}
    return [
        ("POST", "/api/predictions/", {"body": {"image": png}, **as_json}),
        ("POST", "/api/predictions/batch/", {"body": {"images": [png, "not base64!", png]}, **as_json}),
        ("POST", "/api/predictions/batch/", {"body": {"images": ["not base64!"]}, **as_json}),
        ("POST", "/predict", {"body": {"image": png}, **as_json}),
        ("POST", "/predict/", {"body": f"data:image/png;base64,{png}", "media_type": "text/plain"}),
        ("GET", "/api/predictions/", {"query": {"page_size": "1"}}),
        ("GET", "/api/predictions/{id}/", on_drawing),
        ("GET", "/api/predictions/{id}/image", on_drawing),
        ("GET", "/api/predictions/{id}/input", on_drawing),
        ("POST", "/api/predictions/{id}/feedback/", {"body": {"label": 4}, **as_json, **on_drawing}),
        ("POST", "/api/predictions/{id}/feedback/", {"body": {"not_a_digit": True}, **as_json, **on_drawing}),
        ("PATCH", "/api/predictions/{id}/", {"body": {"confirmed_label": 3}, **as_json, **on_drawing}),
        ("PATCH", "/api/predictions/{id}/", {"body": {"confirmed_not_a_digit": True}, **as_json, **on_drawing}),
        ("PATCH", "/api/predictions/{id}/", {"body": {"confirmed_label": None}, **as_json, **on_drawing}),
        ("GET", "/health", {}),
    ]


@pytest.mark.django_db
def test_successful_answers_match_the_schema(connections_kept, digit_image, drawing, staff_token):
    png = base64.b64encode(digit_image(7)).decode()
    for method, path, arguments in digit_answers(png, str(drawing.pk)):
        case = schema[path][method].Case(**arguments)
        response = case.call(headers={"Authorization": f"Token {staff_token}"})

        assert response.status_code < 300, (method, path, response.status_code, response.text[:200])
        case.validate_response(response, checks=CHECKS)


@pytest.mark.fresh_database
@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/predictions/", "/api/predictions/batch/", "/predict"])
def test_the_answer_without_a_model_matches_the_schema(connections_kept, digit_image, path):
    png = base64.b64encode(digit_image(7)).decode()
    body = {"images": [png]} if path.endswith("batch/") else {"image": png}
    case = schema[path]["POST"].Case(body=body, media_type="application/json")

    response = case.call()

    assert response.status_code == 503
    case.validate_response(response, checks=[check for check in CHECKS if check is not not_a_server_error])

# --- What the fuzzing found, kept as plain tests ---------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("page_size", ["null", "abc", "0", "-3", "1.5", "٣"])
def test_an_unreadable_page_size_is_a_400_not_a_silent_default(staff_client, drawing, page_size):
    response = staff_client.get("/api/predictions/", {"page_size": page_size})

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "page_size: must be a whole number, at least 1"}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["", "abc", "0", "1.0", "first"])
def test_an_unreadable_page_is_a_400_not_page_one(staff_client, drawing, page):
    response = staff_client.get("/api/predictions/", {"page": page})

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": "page: must be a whole number, at least 1, or 'last'"}


@pytest.mark.django_db
@pytest.mark.parametrize("page, status", [("1", 200), ("last", 200), ("2", 404)])
def test_pages_that_are_numbers_or_last_are_served_or_not_found(staff_client, drawing, page, status):
    response = staff_client.get("/api/predictions/", {"page": page})

    assert response.status_code == status


@pytest.mark.django_db
def test_a_page_size_over_the_maximum_is_still_served_at_the_maximum(staff_client, drawing):
    response = staff_client.get("/api/predictions/", {"page_size": 10_000})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [str(drawing.pk)]
