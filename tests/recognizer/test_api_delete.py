"""DELETE /api/predictions/{id}/: whoever sent a drawing can take it back with the token its creation
answer showed once; staff can delete any. Everything else is refused and deletes nothing."""
import base64
import hashlib

import pytest
from django.urls import reverse

from recognizer import number_services
from recognizer.models import Drawing, ModelVersion, Number
from tests.recognizer.number_images import number_png

pytestmark = pytest.mark.django_db

TOKEN_HEADER = "HTTP_X_DELETE_TOKEN"


def item(pk) -> str:
    return reverse("recognizer:prediction-detail", args=[pk])


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def created(api_client, digit_image) -> dict:
    """The answer to `POST /api/predictions/` for a 3: the drawing's id and its delete token."""
    response = api_client.post(reverse("recognizer:prediction-list"), {"image": b64(digit_image(3))}, format="json")
    assert response.status_code == 201
    return response.json()


def assert_error(response, status: int, words: str) -> None:
    assert response.status_code == status, response.content
    assert response.json()["status"] == "error" and set(response.json()) == {"status", "error"}
    assert words in response.json()["error"]


# --- the token --------------------------------------------------------------------------------------


def test_the_creation_answer_shows_a_token_the_row_keeps_only_as_a_hash(created):
    token = created["delete_token"]
    row = Drawing.objects.get(pk=created["id"])

    assert isinstance(token, str) and len(token) >= 40
    assert row.delete_token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {str(value) for value in Drawing.objects.values().get(pk=created["id"]).values()}


def test_the_token_is_never_shown_again(api_client, staff_client, created):
    assert "delete_token" not in api_client.get(item(created["id"])).json()
    assert "delete_token" not in staff_client.get(reverse("recognizer:prediction-list")).json()["results"][0]
    feedback = api_client.post(f"{item(created['id'])}feedback/", {"label": 3}, format="json")
    assert feedback.status_code == 200 and "delete_token" not in feedback.json()


def test_each_drawing_of_a_batch_gets_its_own_token(api_client, digit_image):
    images = [b64(digit_image(1)), "not base64!", b64(digit_image(2))]
    results = api_client.post(reverse("recognizer:prediction-batch"), {"images": images}, format="json").json()["results"]
    first, refused, second = results

    assert "delete_token" not in refused
    assert first["delete_token"] != second["delete_token"]
    wrong = api_client.delete(item(first["id"]), **{TOKEN_HEADER: second["delete_token"]})
    assert_error(wrong, 403, "delete token")
    assert api_client.delete(item(first["id"]), **{TOKEN_HEADER: first["delete_token"]}).status_code == 204
    assert list(Drawing.objects.values_list("id", flat=True)) == [Drawing.objects.get(pk=second["id"]).pk]


# --- deleting -----------------------------------------------------------------------------------------


def test_the_token_in_the_header_deletes_the_drawing_and_its_images(api_client, created):
    response = api_client.delete(item(created["id"]), **{TOKEN_HEADER: created["delete_token"]})

    assert response.status_code == 204 and response.content == b""
    assert not Drawing.objects.filter(pk=created["id"]).exists()
    assert_error(api_client.get(item(created["id"])), 404, "no drawing with this id")
    assert api_client.get(created["image_url"]).status_code == 404
    assert api_client.get(created["input_url"]).status_code == 404
    assert_error(api_client.delete(item(created["id"]), **{TOKEN_HEADER: created["delete_token"]}), 404, "no drawing")


def test_the_token_in_a_json_body_deletes_the_drawing(api_client, created):
    response = api_client.delete(item(created["id"]), {"delete_token": created["delete_token"]}, format="json")

    assert response.status_code == 204
    assert Drawing.objects.count() == 0


def test_staff_delete_any_drawing_without_a_token(staff_client, created):
    assert staff_client.delete(item(created["id"])).status_code == 204
    assert Drawing.objects.count() == 0


def test_a_drawing_a_model_version_trained_on_can_be_deleted_and_the_version_stays(api_client, created):
    version = ModelVersion.objects.get(is_active=True)
    version.training_drawings.add(created["id"])
    through = ModelVersion.training_drawings.through

    response = api_client.delete(item(created["id"]), **{TOKEN_HEADER: created["delete_token"]})

    assert response.status_code == 204
    assert not through.objects.filter(drawing_id=created["id"]).exists()
    assert ModelVersion.objects.filter(pk=version.pk, is_active=True).exists()


# --- refusals: each leaves the drawing where it was ---------------------------------------------------


@pytest.mark.parametrize(
    "send",
    [
        pytest.param({}, id="no token"),
        pytest.param({TOKEN_HEADER: "guess"}, id="a wrong token"),
        pytest.param({TOKEN_HEADER: ""}, id="an empty header"),
    ],
)
def test_without_the_right_token_it_is_a_403(api_client, created, send):
    response = api_client.delete(item(created["id"]), **send)

    assert_error(response, 403, "the delete token is missing or wrong")
    assert Drawing.objects.filter(pk=created["id"]).exists()


def test_a_wrong_token_in_the_body_is_a_403(api_client, created):
    response = api_client.delete(item(created["id"]), {"delete_token": created["delete_token"][:-1]}, format="json")

    assert_error(response, 403, "delete token")
    assert Drawing.objects.count() == 1


def test_a_signed_in_user_who_is_not_staff_needs_the_token_too(api_client, created, django_user_model):
    api_client.force_authenticate(django_user_model.objects.create_user("drawer", password="pw-drawer-1"))

    assert_error(api_client.delete(item(created["id"])), 403, "delete token")
    assert Drawing.objects.count() == 1


def test_a_drawing_stored_without_a_token_only_staff_can_delete(api_client, staff_client, drawing):
    Drawing.objects.filter(pk=drawing.pk).update(delete_token_hash="")

    assert_error(api_client.delete(item(drawing.pk), **{TOKEN_HEADER: ""}), 403, "delete token")
    assert_error(api_client.delete(item(drawing.pk), **{TOKEN_HEADER: "x"}), 403, "delete token")
    assert staff_client.delete(item(drawing.pk)).status_code == 204


@pytest.mark.parametrize("pk", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_an_unknown_id_is_a_404(api_client, staff_client, created, pk):
    assert_error(api_client.delete(item(pk), **{TOKEN_HEADER: created["delete_token"]}), 404, "no drawing with this id")
    assert_error(staff_client.delete(item(pk)), 404, "no drawing with this id")
    assert Drawing.objects.count() == 1


@pytest.mark.parametrize(
    "body, words",
    [
        pytest.param({"delete_token": 5}, "delete_token: Not a valid string", id="a number"),
        pytest.param({"delete_token": None}, "delete_token: This field may not be null", id="null"),
        pytest.param({"delete_token": ["x"]}, "delete_token: Not a valid string", id="a list"),
        pytest.param({"token": "x"}, "unexpected field(s): token", id="a misspelt field"),
        pytest.param(["x"], "Expected a dictionary", id="a list body"),
    ],
)
def test_a_malformed_body_is_a_400_even_for_staff(staff_client, created, body, words):
    response = staff_client.delete(item(created["id"]), body, format="json")

    assert_error(response, 400, words)
    assert Drawing.objects.count() == 1


def test_two_different_tokens_are_a_400(api_client, created):
    token = created["delete_token"]

    response = api_client.delete(item(created["id"]), {"delete_token": token + "x"}, format="json", **{TOKEN_HEADER: token})

    assert_error(response, 400, "the X-Delete-Token header and the body differ")
    assert Drawing.objects.count() == 1


def test_a_token_that_is_not_valid_unicode_is_a_400_not_a_500(api_client, created):
    body = '{"delete_token": "\\ud800"}'  # a lone surrogate: valid JSON, not encodable as UTF-8

    response = api_client.generic("DELETE", item(created["id"]), body, content_type="application/json")

    assert_error(response, 400, "delete_token: Surrogate characters are not allowed")
    assert Drawing.objects.count() == 1


def test_a_digit_of_a_number_is_deleted_with_its_number_only(api_client, staff_client, mnist_test):
    number = number_services.number_create(image=number_png(mnist_test, "42"), source="api")
    digit = number.digits.get(position=1)

    response = staff_client.delete(item(digit.pk))

    assert_error(response, 400, "delete the number instead")
    assert Number.objects.get(pk=number.pk).digits.count() == 2
    assert not digit.delete_token_hash  # the number's answer gives no token: nobody else can try
    assert_error(api_client.delete(item(digit.pk)), 403, "delete token")
