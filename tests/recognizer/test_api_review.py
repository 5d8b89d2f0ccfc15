"""Reading and labelling drawings: the id is the capability for one drawing; listing is staff work."""
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from recognizer.models import Drawing
from recognizer.services import (
    drawing_confirm_label,
    drawing_confirm_not_a_digit,
    drawing_create,
    drawing_suggest_label,
    drawing_suggest_not_a_digit,
)
from tests.recognizer.digit_verdict import assert_digit_verdict

pytestmark = pytest.mark.django_db


def list_url() -> str:
    return reverse("recognizer:prediction-list")


def detail_url(drawing) -> str:
    return reverse("recognizer:prediction-detail", args=[drawing.pk])


def feedback_url(drawing) -> str:
    return reverse("recognizer:prediction-feedback", args=[drawing.pk])


def test_anyone_with_the_id_can_read_a_drawing(api_client, drawing):
    response = api_client.get(detail_url(drawing))

    assert response.status_code == 200
    assert response.json()["id"] == str(drawing.pk)
    assert response.json()["prediction"] == drawing.predicted_digit
    assert_digit_verdict(response.json())


@pytest.mark.parametrize("pk", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_unknown_id_is_a_json_404(api_client, pk):
    response = api_client.get(f"/api/predictions/{pk}/")

    assert response.status_code == 404
    assert response.json() == {"status": "error", "error": "no drawing with this id"}


def test_feedback_stores_the_suggested_label(api_client, drawing):
    response = api_client.post(feedback_url(drawing), {"label": 8}, format="json")

    assert response.status_code == 200
    assert response.json()["suggested_label"] == 8
    drawing.refresh_from_db()
    assert drawing.suggested_label == 8 and drawing.confirmed_label is None


@pytest.mark.parametrize(
    "data", [{"label": 10}, {"label": -1}, {"label": "seven"}, {"label": 4.5}, {}, {"label": 4, "extra": 1}, [4]]
)
def test_feedback_label_must_be_a_digit(api_client, drawing, data):
    response = api_client.post(feedback_url(drawing), data, format="json")

    assert response.status_code == 400
    assert response.json()["status"] == "error"
    drawing.refresh_from_db()
    assert drawing.suggested_label is None


def test_feedback_is_throttled_for_anonymous_clients(api_client, drawing, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"feedback": "2/min"}}
    codes = [api_client.post(feedback_url(drawing), {"label": 3}, format="json").status_code for _ in range(3)]

    assert codes == [200, 200, 429]


def test_prediction_is_throttled_for_anonymous_clients(api_client, digit_image, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"predict": "1/min"}}
    api_client.post(list_url(), {"image": digit_image(1)}, format="multipart")
    response = api_client.post(list_url(), {"image": "x"}, format="json")

    assert response.status_code == 429
    assert response.json()["status"] == "error" and "throttled" in response.json()["error"]
    assert "Retry-After" in response.headers


def test_anonymous_clients_cannot_list(api_client, drawing):
    response = api_client.get(list_url())

    assert response.status_code == 403
    assert response.json()["status"] == "error"


def test_non_staff_users_cannot_list(api_client, drawing, django_user_model):
    api_client.force_authenticate(django_user_model.objects.create_user("visitor"))

    assert api_client.get(list_url()).status_code == 403


def test_staff_list_is_paginated_newest_first(staff_client, digit_image):
    first = drawing_create(image=digit_image(1), source="api")
    second = drawing_create(image=digit_image(2), source="api")
    response = staff_client.get(list_url(), {"page_size": 1})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 2 and body["next"] and body["previous"] is None
    assert [d["id"] for d in body["results"]] == [str(second.pk)]
    assert first.pk != second.pk


@pytest.fixture
def reviewed(digit_image, staff_user):
    """Four drawings: confirmed as predicted, confirmed otherwise, suggested otherwise, untouched."""
    drawings = [drawing_create(image=digit_image(d), source="api") for d in (1, 2, 3, 4)]
    drawing_confirm_label(drawing=drawings[0], label=drawings[0].predicted_digit, user=staff_user)
    drawing_confirm_label(drawing=drawings[1], label=(drawings[1].predicted_digit + 1) % 10, user=staff_user)
    drawing_suggest_label(drawing=drawings[2], label=(drawings[2].predicted_digit + 1) % 10)
    Drawing.objects.filter(pk__in=[d.pk for d in drawings[:3]]).update(confidence=0.95)
    Drawing.objects.filter(pk=drawings[3].pk).update(confidence=0.3, created=timezone.now() - timedelta(days=2))
    return drawings


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"digit": 2}, [1]),
        ({"confirmed": "true"}, [0, 1]),
        ({"confirmed": "false"}, [2, 3]),
        ({"disagreement": "true"}, [1, 2]),
        ({"disagreement": "false"}, [0, 3]),
        ({"max_confidence": 0.5}, [3]),
        ({"created_before": "{yesterday}"}, [3]),
        ({"created_after": "{yesterday}"}, [0, 1, 2]),
    ],
)
def test_staff_list_filters(staff_client, reviewed, query, expected):
    yesterday = (timezone.now() - timedelta(days=1)).isoformat()
    query = {key: str(value).replace("{yesterday}", yesterday) for key, value in query.items()}
    response = staff_client.get(list_url(), query)

    assert response.status_code == 200, response.json()
    assert {d["id"] for d in response.json()["results"]} == {str(reviewed[i].pk) for i in expected}


@pytest.mark.parametrize("query", [{"digit": 10}, {"confirmed": "maybe"}, {"max_confidence": 2}, {"created_after": "x"}])
def test_bad_list_filters_are_a_400(staff_client, query):
    response = staff_client.get(list_url(), query)

    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_staff_confirm_a_label_with_patch(staff_client, staff_user, drawing):
    response = staff_client.patch(detail_url(drawing), {"confirmed_label": 6}, format="json")

    assert response.status_code == 200
    assert response.json()["confirmed_label"] == 6
    drawing.refresh_from_db()
    assert drawing.training_label == 6 and drawing.confirmed_by == staff_user and drawing.confirmed_at


def test_staff_clear_a_label_with_null(staff_client, staff_user, drawing):
    drawing_confirm_label(drawing=drawing, label=3, user=staff_user)
    response = staff_client.patch(detail_url(drawing), {"confirmed_label": None}, format="json")

    assert response.status_code == 200
    drawing.refresh_from_db()
    assert drawing.confirmed_label is None and drawing.confirmed_by is None and drawing.confirmed_at is None


@pytest.mark.parametrize("data", [{"confirmed_label": 12}, {"predicted_digit": 1}, {}])
def test_patch_accepts_only_a_confirmed_digit(staff_client, drawing, data):
    response = staff_client.patch(detail_url(drawing), data, format="json")

    assert response.status_code == 400
    drawing.refresh_from_db()
    assert drawing.confirmed_label is None and drawing.predicted_digit == 3


def test_put_is_not_allowed(staff_client, drawing):
    response = staff_client.put(detail_url(drawing), {"confirmed_label": 1}, format="json")

    assert response.status_code == 405
    assert response.json()["status"] == "error"


def test_anonymous_clients_cannot_confirm(api_client, drawing):
    response = api_client.patch(detail_url(drawing), {"confirmed_label": 6}, format="json")

    assert response.status_code == 403
    drawing.refresh_from_db()
    assert drawing.confirmed_label is None


def test_token_authenticated_staff_can_list_and_confirm(staff_token, drawing):
    client = APIClient(enforce_csrf_checks=True)
    client.credentials(HTTP_AUTHORIZATION=f"Token {staff_token}")

    assert client.get(list_url()).status_code == 200
    assert client.patch(detail_url(drawing), {"confirmed_label": 3}, format="json").status_code == 200


def test_invalid_token_is_refused(drawing):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token nope")

    response = client.get(list_url())
    assert response.status_code in (401, 403)
    assert response.json() == {"status": "error", "error": "Invalid token."}


def test_session_writes_need_the_csrf_token(staff_user, drawing):
    client = APIClient(enforce_csrf_checks=True)
    client.login(username="reviewer", password="pw-reviewer-1")

    refused = client.patch(detail_url(drawing), {"confirmed_label": 3}, format="json")
    assert refused.status_code == 403 and "CSRF" in refused.json()["error"]

    client.get(reverse("admin:index"))  # sets the csrftoken cookie, as any page with a form would
    token = client.cookies["csrftoken"].value
    accepted = client.patch(detail_url(drawing), {"confirmed_label": 3}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 200


# ---- "not a digit": suggestions, confirmations, filters ---------------------------------------


def test_feedback_not_a_digit_is_stored_as_a_suggestion(api_client, drawing):
    drawing_suggest_label(drawing=drawing, label=8)
    response = api_client.post(feedback_url(drawing), {"not_a_digit": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["suggested_not_a_digit"] is True and body["suggested_label"] is None
    drawing.refresh_from_db()
    assert drawing.suggested_not_a_digit and drawing.suggested_label is None
    assert not drawing.confirmed_not_a_digit and not drawing.is_confirmed


def test_feedback_label_replaces_a_suggested_not_a_digit(api_client, drawing):
    drawing_suggest_not_a_digit(drawing=drawing)
    response = api_client.post(feedback_url(drawing), {"label": 3}, format="json")

    assert response.status_code == 200
    assert response.json()["suggested_label"] == 3 and response.json()["suggested_not_a_digit"] is False
    drawing.refresh_from_db()
    assert drawing.suggested_label == 3 and not drawing.suggested_not_a_digit


@pytest.mark.parametrize(
    "data, message",
    [
        ({"label": 4, "not_a_digit": True}, "send either 'label' or 'not_a_digit', not both"),
        ({}, "send 'label' (the digit, 0-9) or 'not_a_digit': true"),
        ({"not_a_digit": False}, "not_a_digit can only be true"),
        ({"not_a_digit": "perhaps"}, "not_a_digit:"),
        ({"not_a_digit": True, "why": "x"}, "unexpected field(s): why"),
    ],
)
def test_feedback_takes_exactly_one_answer(api_client, drawing, data, message):
    response = api_client.post(feedback_url(drawing), data, format="json")

    assert response.status_code == 400
    assert response.json()["status"] == "error" and message in response.json()["error"]
    drawing.refresh_from_db()
    assert drawing.suggested_label is None and not drawing.suggested_not_a_digit


def test_staff_confirm_not_a_digit_with_patch(staff_client, staff_user, drawing):
    drawing_confirm_label(drawing=drawing, label=3, user=staff_user)
    response = staff_client.patch(detail_url(drawing), {"confirmed_not_a_digit": True}, format="json")

    assert response.status_code == 200
    body = response.json()
    assert body["confirmed_not_a_digit"] is True and body["confirmed_label"] is None
    drawing.refresh_from_db()
    assert drawing.confirmed_not_a_digit and drawing.confirmed_label is None and drawing.training_label is None
    assert drawing.is_confirmed and drawing.confirmed_by == staff_user and drawing.confirmed_at


def test_staff_confirm_a_label_replaces_not_a_digit(staff_client, staff_user, drawing):
    drawing_confirm_not_a_digit(drawing=drawing, user=staff_user)
    response = staff_client.patch(detail_url(drawing), {"confirmed_label": 5}, format="json")

    assert response.status_code == 200
    assert response.json()["confirmed_label"] == 5 and response.json()["confirmed_not_a_digit"] is False
    drawing.refresh_from_db()
    assert drawing.training_label == 5 and not drawing.confirmed_not_a_digit


def test_staff_clear_with_null_clears_not_a_digit_too(staff_client, staff_user, drawing):
    drawing_confirm_not_a_digit(drawing=drawing, user=staff_user)
    response = staff_client.patch(detail_url(drawing), {"confirmed_label": None}, format="json")

    assert response.status_code == 200
    drawing.refresh_from_db()
    assert not drawing.is_confirmed and drawing.confirmed_by is None and drawing.confirmed_at is None


@pytest.mark.parametrize(
    "data, message",
    [
        (
            {"confirmed_label": 4, "confirmed_not_a_digit": True},
            "send either 'confirmed_label' or 'confirmed_not_a_digit', not both",
        ),
        (
            {"confirmed_label": None, "confirmed_not_a_digit": True},
            "send either 'confirmed_label' or 'confirmed_not_a_digit', not both",
        ),
        (
            {"confirmed_not_a_digit": False},
            "confirmed_not_a_digit can only be true; send confirmed_label null to clear the confirmation",
        ),
        ({}, "send 'confirmed_label' (0-9, or null to clear) or 'confirmed_not_a_digit': true"),
    ],
)
def test_patch_refuses_a_label_with_not_a_digit(staff_client, staff_user, drawing, data, message):
    drawing_confirm_label(drawing=drawing, label=3, user=staff_user)
    response = staff_client.patch(detail_url(drawing), data, format="json")

    assert response.status_code == 400
    assert response.json() == {"status": "error", "error": message}
    drawing.refresh_from_db()
    assert drawing.confirmed_label == 3 and not drawing.confirmed_not_a_digit


def test_anonymous_clients_cannot_confirm_not_a_digit(api_client, drawing):
    response = api_client.patch(detail_url(drawing), {"confirmed_not_a_digit": True}, format="json")

    assert response.status_code == 403
    drawing.refresh_from_db()
    assert not drawing.confirmed_not_a_digit


@pytest.fixture
def marked(digit_image, staff_user):
    """Five real digits, which the model reads as digits: the first is given a not-a-digit verdict;
    suggested not a digit; confirmed not a digit; confirmed as predicted; untouched."""
    drawings = [drawing_create(image=digit_image(d), source="api") for d in (1, 2, 3, 4, 5)]
    Drawing.objects.filter(pk=drawings[0].pk).update(digit_score=0.1, is_digit=False)
    drawing_suggest_not_a_digit(drawing=drawings[1])
    drawing_confirm_not_a_digit(drawing=drawings[2], user=staff_user)
    drawing_confirm_label(drawing=drawings[3], label=drawings[3].predicted_digit, user=staff_user)
    Drawing.objects.filter(pk=drawings[4].pk).update(digit_score=0.9, is_digit=True)
    return drawings


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"not_a_digit": "true"}, [1, 2]),
        ({"not_a_digit": "false"}, [0, 3, 4]),
        ({"is_digit": "false"}, [0]),
        ({"is_digit": "true"}, [1, 2, 3, 4]),
        ({"confirmed": "true"}, [2, 3]),
        ({"confirmed": "false"}, [0, 1, 4]),
        ({"disagreement": "true"}, [1, 2]),
        ({"not_a_digit": "true", "confirmed": "true"}, [2]),
    ],
)
def test_staff_list_filters_not_a_digit(staff_client, marked, query, expected):
    response = staff_client.get(list_url(), query)

    assert response.status_code == 200, response.json()
    assert {d["id"] for d in response.json()["results"]} == {str(marked[i].pk) for i in expected}


def test_list_answers_show_the_not_a_digit_marks(staff_client, marked):
    results = {d["id"]: d for d in staff_client.get(list_url()).json()["results"]}

    model_says, suggested, confirmed = (results[str(marked[i].pk)] for i in range(3))
    assert (model_says["is_digit"], model_says["digit_score"]) == (False, 0.1)
    assert suggested["suggested_not_a_digit"] is True and suggested["confirmed_not_a_digit"] is False
    assert confirmed["confirmed_not_a_digit"] is True and confirmed["confirmed_label"] is None


@pytest.mark.parametrize("query", [{"not_a_digit": "maybe"}, {"is_digit": "2"}])
def test_bad_not_a_digit_filters_are_a_400(staff_client, query):
    response = staff_client.get(list_url(), query)

    assert response.status_code == 400
    assert response.json()["status"] == "error"


def test_unexpected_fields_are_named_briefly(api_client, drawing):
    junk = {f"field-{i}-" + "x" * 50: 1 for i in range(5)}
    response = api_client.post(feedback_url(drawing), {"label": 4, **junk}, format="json")

    assert response.status_code == 400
    assert response.json()["error"] == (
        "unexpected field(s): field-0-xxxxxxxxxxx…, field-1-xxxxxxxxxxx…, field-2-xxxxxxxxxxx… and 2 more"
    )
