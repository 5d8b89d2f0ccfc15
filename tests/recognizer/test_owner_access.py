"""Who may see a stored drawing or number (docs/accounts.md): one made while signed in is its owner's and
staff's only, a 404 for everyone else on every endpoint that takes its id, exactly as if there were no
such id; an anonymous one stays readable by whoever holds its id. Staff-only pages and operations stay
staff-only for a signed-in user who is not staff.

Each request goes through the real URL routing, authentication (session, token) and the database."""
import base64

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recognizer.models import Drawing, Number
from tests.recognizer.number_images import number_png

pytestmark = pytest.mark.django_db

NOT_FOUND = {"drawing": "no drawing with this id", "number": "no number with this id"}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def session_client(user, *, api: bool = True):
    client = APIClient() if api else Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner(django_user_model):
    return django_user_model.objects.create_user("ada", email="ada@example.org", password="pw-ada-Lovelace-1815")


@pytest.fixture
def stranger(django_user_model):
    return django_user_model.objects.create_user("bob", email="bob@example.org", password="pw-bob-Builder-1999")


@pytest.fixture
def owner_client(owner):
    return session_client(owner)


@pytest.fixture
def viewers(owner, stranger, staff_user) -> dict:
    """Each kind of caller, by name: the owner, another signed-in user, nobody signed in, staff."""
    return {
        "owner": session_client(owner),
        "stranger": session_client(stranger),
        "anonymous": APIClient(),
        "staff": session_client(staff_user),
    }


@pytest.fixture
def owned_drawing(owner_client, digit_image) -> dict:
    response = owner_client.post("/api/predictions/", {"image": b64(digit_image(3))}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def owned_number(owner_client, mnist_test) -> dict:
    response = owner_client.post("/api/numbers/", {"image": b64(number_png(mnist_test, "42"))}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def anonymous_drawing(api_client, digit_image) -> dict:
    response = api_client.post("/api/predictions/", {"image": b64(digit_image(5))}, format="json")
    assert response.status_code == 201
    return response.json()


# Every endpoint that takes a drawing's or a number's id, with what a caller allowed to see it gets.
DRAWING_ENDPOINTS = [
    ("get", "/api/predictions/{id}/", None, 200),
    ("get", "/api/predictions/{id}/image", None, 200),
    ("get", "/api/predictions/{id}/input", None, 200),
    ("get", "/api/predictions/{id}/saliency", None, 200),
    ("post", "/api/predictions/{id}/feedback/", {"label": 3}, 200),
    ("post", "/api/predictions/{id}/feedback/", {"not_a_digit": True}, 200),
]
NUMBER_ENDPOINTS = [
    ("get", "/api/numbers/{id}/", None, 200),
    ("get", "/api/numbers/{id}/image", None, 200),
    ("post", "/api/numbers/{id}/feedback/", {"number": "42"}, 200),
]
WHO_SEES = {"owner": True, "staff": True, "stranger": False, "anonymous": False}


def call(client, method: str, url: str, body):
    return getattr(client, method)(url, body, format="json") if body is not None else getattr(client, method)(url)


def assert_not_found(response, kind: str) -> None:
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "error", "error": NOT_FOUND[kind]}


@pytest.mark.parametrize("who", sorted(WHO_SEES))
@pytest.mark.parametrize("method, path, body, status", DRAWING_ENDPOINTS)
def test_a_signed_in_users_drawing_is_theirs_and_staffs_only(viewers, owned_drawing, who, method, path, body, status):
    response = call(viewers[who], method, path.format(id=owned_drawing["id"]), body)

    if WHO_SEES[who]:
        assert response.status_code == status, response.content
    else:
        assert_not_found(response, "drawing")


@pytest.mark.parametrize("who", sorted(WHO_SEES))
@pytest.mark.parametrize("method, path, body, status", NUMBER_ENDPOINTS)
def test_a_signed_in_users_number_is_theirs_and_staffs_only(viewers, owned_number, who, method, path, body, status):
    response = call(viewers[who], method, path.format(id=owned_number["id"]), body)

    if WHO_SEES[who]:
        assert response.status_code == status, response.content
    else:
        assert_not_found(response, "number")


@pytest.mark.parametrize("who", sorted(WHO_SEES))
def test_the_digits_of_a_users_number_are_theirs_too(viewers, owned_number, who):
    digit_ids = [digit["drawing"] for digit in owned_number["digits"]]
    assert len(digit_ids) == 2

    for digit_id in digit_ids:
        response = viewers[who].get(f"/api/predictions/{digit_id}/")
        if WHO_SEES[who]:
            assert response.status_code == 200 and response.json()["id"] == digit_id
        else:
            assert_not_found(response, "drawing")


def test_what_others_are_refused_is_not_changed(viewers, owned_drawing, owned_number):
    viewers["stranger"].post(f"/api/predictions/{owned_drawing['id']}/feedback/", {"label": 8}, format="json")
    viewers["anonymous"].post(f"/api/numbers/{owned_number['id']}/feedback/", {"number": "99"}, format="json")

    assert Drawing.objects.get(pk=owned_drawing["id"]).suggested_label is None
    assert Number.objects.get(pk=owned_number["id"]).suggested_number == ""


def test_a_refusal_reads_exactly_like_an_id_that_does_not_exist(viewers, owned_drawing):
    stranger = viewers["stranger"]
    hidden = stranger.get(f"/api/predictions/{owned_drawing['id']}/")
    missing = stranger.get("/api/predictions/00000000-0000-4000-8000-000000000000/")

    assert (hidden.status_code, hidden.json()) == (missing.status_code, missing.json())


def test_the_owner_with_a_token_sees_it_and_a_strangers_token_does_not(owner, stranger, owned_drawing):
    for user, status in ((owner, 200), (stranger, 404)):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
        assert client.get(f"/api/predictions/{owned_drawing['id']}/").status_code == status
        assert client.get(f"/api/predictions/{owned_drawing['id']}/image").status_code == status


# --- deleting ---------------------------------------------------------------------------------------


def test_the_owner_deletes_their_drawing_without_the_token(owner_client, owned_drawing):
    response = owner_client.delete(f"/api/predictions/{owned_drawing['id']}/")

    assert response.status_code == 204
    assert not Drawing.objects.filter(pk=owned_drawing["id"]).exists()


def test_staff_delete_a_users_drawing_without_the_token(viewers, owned_drawing):
    assert viewers["staff"].delete(f"/api/predictions/{owned_drawing['id']}/").status_code == 204
    assert not Drawing.objects.filter(pk=owned_drawing["id"]).exists()


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_nobody_else_deletes_a_users_drawing_even_with_its_token(viewers, owned_drawing, who):
    response = viewers[who].delete(
        f"/api/predictions/{owned_drawing['id']}/", HTTP_X_DELETE_TOKEN=owned_drawing["delete_token"]
    )

    assert_not_found(response, "drawing")
    assert Drawing.objects.filter(pk=owned_drawing["id"]).exists()


def test_the_owner_may_also_use_the_token(owner_client, owned_drawing):
    response = owner_client.delete(
        f"/api/predictions/{owned_drawing['id']}/", HTTP_X_DELETE_TOKEN=owned_drawing["delete_token"]
    )

    assert response.status_code == 204


# --- anonymous drawings, as before ------------------------------------------------------------------


@pytest.mark.parametrize("who", sorted(WHO_SEES))
def test_an_anonymous_drawing_stays_readable_by_whoever_holds_its_id(viewers, anonymous_drawing, who):
    client = viewers[who]
    drawing_id = anonymous_drawing["id"]

    assert client.get(f"/api/predictions/{drawing_id}/").json()["id"] == drawing_id
    assert client.get(f"/api/predictions/{drawing_id}/image").status_code == 200
    assert Drawing.objects.get(pk=drawing_id).owner is None


def test_a_signed_in_user_needs_the_token_to_delete_an_anonymous_drawing(viewers, anonymous_drawing):
    url = f"/api/predictions/{anonymous_drawing['id']}/"
    refused = viewers["stranger"].delete(url)

    assert refused.status_code == 403 and "delete token" in refused.json()["error"]
    assert viewers["stranger"].delete(url, HTTP_X_DELETE_TOKEN=anonymous_drawing["delete_token"]).status_code == 204


# --- who owns what is made -------------------------------------------------------------------------


def test_a_page_post_with_the_csrf_token_stores_the_drawing_as_the_users(owner, digit_image):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    browser.get("/")  # the page sets the CSRF cookie; api.js sends it back as X-CSRFToken
    csrf = browser.cookies["csrftoken"].value

    response = browser.post(
        "/api/predictions/", {"image": b64(digit_image(7)), "source": "page"},
        content_type="application/json", HTTP_X_CSRFTOKEN=csrf,
    )

    assert response.status_code == 201, response.content
    assert Drawing.objects.get(pk=response.json()["id"]).owner == owner


def test_a_signed_in_post_without_the_csrf_token_is_refused_and_stores_nothing(owner, digit_image):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)

    response = browser.post("/api/predictions/", {"image": b64(digit_image(7))}, content_type="application/json")

    assert response.status_code == 403 and "CSRF" in response.json()["error"]
    assert not Drawing.objects.exists()


def test_token_clients_own_what_they_send_one_by_one_and_in_batches(owner, digit_image, mnist_test):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")

    single = client.post("/api/predictions/", {"image": b64(digit_image(1))}, format="json")
    batch = client.post("/api/predictions/batch/", {"images": [b64(digit_image(2)), b64(digit_image(4))]}, format="json")
    number = client.post("/api/numbers/", {"image": b64(number_png(mnist_test, "17"))}, format="json")

    assert (single.status_code, batch.status_code, number.status_code) == (201, 201, 201)
    assert Drawing.objects.filter(owner=owner, number__isnull=True).count() == 3
    assert Number.objects.get(owner=owner).digits.filter(owner=owner).count() == 2


def test_the_demo_predict_endpoint_stores_a_signed_in_browsers_drawing_as_theirs(owner, digit_image):
    anonymous = Client().post("/predict", {"image": b64(digit_image(6))}, content_type="application/json")
    signed_in = session_client(owner, api=False).post(
        "/predict", {"image": b64(digit_image(6))}, content_type="application/json"
    )

    assert anonymous.status_code == signed_in.status_code == 200
    assert sorted(str(d.owner) for d in Drawing.objects.all()) == ["None", owner.username]


def test_previews_store_nothing_for_a_signed_in_user_either(owner_client, digit_image):
    response = owner_client.post("/api/predictions/preview/", {"image": b64(digit_image(8))}, format="json")

    assert response.status_code == 200 and "id" not in response.json()
    assert not Drawing.objects.exists()


def test_anonymous_answers_have_no_owner(api_client, mnist_test, digit_image):
    api_client.post("/api/predictions/", {"image": b64(digit_image(1))}, format="json")
    api_client.post("/api/numbers/", {"image": b64(number_png(mnist_test, "23"))}, format="json")

    assert Drawing.objects.count() == 3 and not Drawing.objects.filter(owner__isnull=False).exists()
    assert not Number.objects.filter(owner__isnull=False).exists()


# --- staff-only stays staff-only --------------------------------------------------------------------


STAFF_API = [
    ("get", "/api/predictions/", None),
    ("patch", "/api/predictions/{drawing}/", {"confirmed_label": 3}),
    ("get", "/api/numbers/", None),
    ("patch", "/api/numbers/{number}/", {"confirmed_number": "42"}),
]
STAFF_PAGES = [
    "/admin/",
    "/admin/recognizer/drawing/",
    "/admin/recognizer/drawing/review/",
    "/admin/recognizer/number/",
    "/admin/recognizer/modelversion/",
    "/admin/monitoring/",
    "/admin/monitoring/?format=json",
]


@pytest.mark.parametrize("method, path, body", STAFF_API)
@pytest.mark.parametrize("auth", ["session", "token"])
def test_staff_operations_refuse_a_signed_in_user_who_is_not_staff(
    stranger, owned_drawing, owned_number, method, path, body, auth
):
    client = session_client(stranger) if auth == "session" else APIClient()
    if auth == "token":
        client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=stranger).key}")

    response = call(client, method, path.format(drawing=owned_drawing["id"], number=owned_number["id"]), body)

    assert response.status_code == 403
    assert response.json() == {"status": "error", "error": "staff only"}
    assert Drawing.objects.filter(confirmed_label__isnull=False).count() == 0
    assert Number.objects.exclude(confirmed_number="").count() == 0


@pytest.mark.parametrize("url", STAFF_PAGES)
def test_staff_pages_send_a_signed_in_user_who_is_not_staff_to_the_admin_login(stranger, owned_drawing, url):
    response = session_client(stranger, api=False).get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_review_queues_action_endpoint_refuses_a_user_who_is_not_staff(stranger, owned_drawing):
    browser = session_client(stranger, api=False)
    response = browser.post(
        "/admin/recognizer/drawing/review/action/",
        {"drawing": owned_drawing["id"], "action": "label", "label": 3},
        content_type="application/json",
    )

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert Drawing.objects.get(pk=owned_drawing["id"]).confirmed_label is None


def test_the_admin_shows_reviewers_every_users_drawings(admin_client, owned_drawing):
    page = admin_client.get("/admin/recognizer/drawing/")

    assert page.status_code == 200
    assert owned_drawing["id"][:8] in page.content.decode()


def test_a_drawings_admin_page_names_its_owner(admin_client, owner, owned_drawing):
    page = admin_client.get(f"/admin/recognizer/drawing/{owned_drawing['id']}/change/")

    assert page.status_code == 200
    assert f"/admin/auth/user/{owner.pk}/change/" in page.content.decode()
