"""Accounts (recognizer/accounts): sign up, log in and out, reset a forgotten password by mail, "My drawings"
with delete, and one's own API token, through the real pages, forms, CSRF checks and database.

Mail goes to Django's in-memory outbox in tests (pytest-django's `mailoutbox`); the link is followed from
the mail's own text."""
import base64
import re

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from recognizer.accounts.views import PER_PAGE
from recognizer.models import Drawing, Number
from recognizer.services import drawing_create
from tests.recognizer.number_images import number_png

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-Passphrase-for-digits-7"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture
def browser() -> Client:
    """A browser: Django's test client with the CSRF checks a real browser meets."""
    return Client(enforce_csrf_checks=True)


def csrf_post(client: Client, url: str, data: dict, **extra):
    """Posts a form as the browser would: after loading a page that set the CSRF cookie."""
    if "csrftoken" not in client.cookies:
        client.get(reverse("recognizer:index"))
    return client.post(url, {**data, "csrfmiddlewaretoken": client.cookies["csrftoken"].value}, **extra)


@pytest.fixture
def ada(django_user_model):
    return django_user_model.objects.create_user("ada", email="ada@example.org", password=PASSWORD)


@pytest.fixture
def bob(django_user_model):
    return django_user_model.objects.create_user("bob", email="bob@example.org", password=PASSWORD)


@pytest.fixture
def ada_browser(browser, ada) -> Client:
    browser.force_login(ada)
    return browser


def signed_in_user(client: Client):
    return client.get(reverse("accounts:drawings")).wsgi_request.user


# --- sign up, log in, log out --------------------------------------------------------------------


def test_signing_up_creates_the_account_and_signs_in(browser, django_user_model):
    response = csrf_post(browser, reverse("accounts:signup"), {
        "username": "grace", "email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD,
    })

    assert response.status_code == 302 and response["Location"] == reverse("recognizer:index")
    user = django_user_model.objects.get(username="grace")
    assert user.email == "grace@example.org" and user.check_password(PASSWORD) and not user.is_staff
    assert signed_in_user(browser) == user


def test_signing_up_goes_on_to_next_on_this_site_only(browser):
    form = {"email": "g@example.org", "password1": PASSWORD, "password2": PASSWORD}
    here = csrf_post(browser, reverse("accounts:signup"), {**form, "username": "g1", "next": "/account/token/"})
    browser.logout()
    elsewhere = csrf_post(browser, reverse("accounts:signup"), {
        **form, "username": "g2", "email": "g2@example.org", "next": "https://evil.example/",
    })

    assert here["Location"] == "/account/token/"
    assert elsewhere["Location"] == reverse("recognizer:index")


@pytest.mark.parametrize("change, field, words", [
    ({"password2": "something-else-entirely-1"}, "password2", "didn’t match"),
    ({"password1": "123", "password2": "123"}, "password2", "too short"),
    ({"email": "not an address"}, "email", "valid email"),
    ({"email": "ADA@example.org"}, "email", "already exists"),
    ({"username": "ada"}, "username", "already exists"),
    ({"username": ""}, "username", "required"),
])
def test_a_bad_sign_up_says_what_is_wrong_and_creates_nothing(browser, ada, django_user_model, change, field, words):
    form = {"username": "grace", "email": "grace@example.org", "password1": PASSWORD, "password2": PASSWORD}
    response = csrf_post(browser, reverse("accounts:signup"), {**form, **change})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert django_user_model.objects.count() == 1
    assert not signed_in_user(browser).is_authenticated


def test_a_sign_up_without_the_csrf_token_is_refused(browser, django_user_model):
    response = browser.post(reverse("accounts:signup"), {
        "username": "grace", "email": "g@example.org", "password1": PASSWORD, "password2": PASSWORD,
    })

    assert response.status_code == 403
    assert not django_user_model.objects.filter(username="grace").exists()


def test_logging_in_and_out(browser, ada):
    wrong = csrf_post(browser, reverse("accounts:login"), {"username": "ada", "password": "wrong"})
    assert wrong.status_code == 200 and wrong.context["form"].non_field_errors()
    assert not signed_in_user(browser).is_authenticated

    right = csrf_post(browser, reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    assert right.status_code == 302 and right["Location"] == reverse("recognizer:index")
    assert signed_in_user(browser) == ada

    assert browser.get(reverse("accounts:logout")).status_code == 405  # Django 5: log out by POST only
    out = csrf_post(browser, reverse("accounts:logout"), {})
    assert out.status_code == 302 and out["Location"] == reverse("recognizer:index")
    assert not signed_in_user(browser).is_authenticated


def test_pages_for_signed_in_users_send_others_to_log_in_and_back(browser, ada):
    for name in ("accounts:drawings", "accounts:token", "accounts:password_change"):
        response = browser.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('accounts:login')}?next={reverse(name)}"

    back = csrf_post(browser, reverse("accounts:login"), {
        "username": "ada", "password": PASSWORD, "next": reverse("accounts:token"),
    })
    assert back["Location"] == reverse("accounts:token")


def test_the_header_offers_what_fits_who_is_there(browser, ada, admin_user):
    def nav(client) -> str:
        html = client.get("/").content.decode()
        return re.search(r'<nav class="account-nav".*?</nav>', html, re.S)[0]

    anonymous = nav(browser)
    assert reverse("accounts:login") in anonymous and reverse("accounts:signup") in anonymous
    assert reverse("accounts:drawings") not in anonymous

    browser.force_login(ada)
    user = nav(browser)
    for url in (reverse("accounts:drawings"), reverse("accounts:token"), reverse("accounts:logout")):
        assert url in user
    assert 'method="post"' in user and "csrfmiddlewaretoken" in user
    assert reverse("admin:index") not in user and reverse("accounts:login") not in user

    browser.force_login(admin_user)
    assert reverse("admin:index") in nav(browser)


# --- password reset by mail ------------------------------------------------------------------------


def test_a_forgotten_password_is_reset_through_the_link_in_the_mail(browser, ada, mailoutbox):
    asked = csrf_post(browser, reverse("accounts:password_reset"), {"email": "ADA@example.org"})
    assert asked.status_code == 302 and asked["Location"] == reverse("accounts:password_reset_done")

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["ada@example.org"] and "Digits" in message.subject and "\n" not in message.subject
    assert "ada" in message.body
    link = re.search(r"http://testserver(/account/reset/\S+/)", message.body)[1]

    form_page = browser.get(link, follow=True)  # Django swaps the token in the URL for one in the session
    assert form_page.status_code == 200 and form_page.context["validlink"]
    new_password = "another-Passphrase-for-digits-8"
    done = csrf_post(browser, form_page.redirect_chain[-1][0],
                     {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302 and done["Location"] == reverse("accounts:password_reset_complete")

    ada.refresh_from_db()
    assert ada.check_password(new_password)
    assert browser.get(link, follow=True).context["validlink"] is False  # the link works once


def test_a_reset_for_an_unknown_address_sends_nothing_and_says_the_same(browser, ada, mailoutbox):
    response = csrf_post(browser, reverse("accounts:password_reset"), {"email": "nobody@example.org"})

    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert mailoutbox == []


def test_a_damaged_reset_link_is_refused_with_a_way_on(browser, ada):
    response = browser.get(reverse("accounts:password_reset_confirm", args=["MQ", "not-a-token"]))

    assert response.status_code == 200 and response.context["validlink"] is False
    assert reverse("accounts:password_reset") in response.content.decode()


def test_by_default_the_mail_is_written_to_a_file_under_var_mail(browser, ada, settings, tmp_path):
    from digitsite import settings as project  # as configured, before the tests' in-memory outbox

    assert project.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend"
    assert project.EMAIL_FILE_PATH == project.VAR_DIR / "mail"
    settings.EMAIL_BACKEND, settings.EMAIL_FILE_PATH = project.EMAIL_BACKEND, tmp_path / "mail"

    csrf_post(browser, reverse("accounts:password_reset"), {"email": "ada@example.org"})

    (written,) = (tmp_path / "mail").iterdir()
    assert re.search(r"http://testserver/account/reset/\S+/", written.read_text())


# --- API token ------------------------------------------------------------------------------------


def test_a_token_is_shown_once_works_against_the_api_and_is_revoked(ada_browser, ada, digit_image):
    made = csrf_post(ada_browser, reverse("accounts:token"), {"action": "create"})
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    key = made.context["new_key"]
    assert key == Token.objects.get(user=ada).key and key in made.content.decode()
    assert "Authorization: Token" in made.content.decode()

    again = ada_browser.get(reverse("accounts:token"))
    assert key not in again.content.decode() and again.context["token"] is not None

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    created = api.post("/api/predictions/", {"image": b64(digit_image(9))}, format="json")
    assert created.status_code == 201
    assert Drawing.objects.get(pk=created.json()["id"]).owner == ada

    revoked = csrf_post(ada_browser, reverse("accounts:token"), {"action": "revoke"})
    assert revoked.status_code == 302 and not Token.objects.filter(user=ada).exists()
    refused = api.get(f"/api/predictions/{created.json()['id']}/")
    assert refused.status_code == 403 and refused.json() == {"status": "error", "error": "Invalid token."}


def test_a_new_token_replaces_the_old_one(ada_browser, ada):
    first = csrf_post(ada_browser, reverse("accounts:token"), {"action": "create"}).context["new_key"]
    second = csrf_post(ada_browser, reverse("accounts:token"), {"action": "create"}).context["new_key"]

    assert first != second and list(Token.objects.filter(user=ada).values_list("key", flat=True)) == [second]


@pytest.mark.parametrize("data", [{}, {"action": "steal"}])
def test_an_unknown_token_action_is_a_400_changing_nothing(ada_browser, ada, data):
    Token.objects.create(user=ada)
    response = csrf_post(ada_browser, reverse("accounts:token"), data)

    assert response.status_code == 400 and response.context["new_key"] is None
    assert Token.objects.filter(user=ada).count() == 1


def test_a_token_post_without_csrf_is_refused(ada_browser, ada):
    assert ada_browser.post(reverse("accounts:token"), {"action": "create"}).status_code == 403
    assert not Token.objects.filter(user=ada).exists()


# --- My drawings ------------------------------------------------------------------------------------


@pytest.fixture
def drawings_of_both(ada, bob, digit_image, mnist_test):
    """Ada's two drawings and one number (sent from two devices: a session and a token), Bob's drawing,
    an anonymous one."""
    ada_session = APIClient()
    ada_session.force_login(ada)
    ada_phone = APIClient()
    ada_phone.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=ada).key}")
    bob_client = APIClient()
    bob_client.force_login(bob)
    ids = {
        "ada_1": ada_session.post("/api/predictions/", {"image": b64(digit_image(1))}, format="json").json()["id"],
        "ada_number": ada_phone.post("/api/numbers/", {"image": b64(number_png(mnist_test, "42"))},
                                     format="json").json()["id"],
        "ada_2": ada_phone.post("/api/predictions/", {"image": b64(digit_image(2))}, format="json").json()["id"],
        "bob": bob_client.post("/api/predictions/", {"image": b64(digit_image(3))}, format="json").json()["id"],
        "anonymous": str(drawing_create(image=digit_image(4), source="api").pk),
    }
    return ids


def test_my_drawings_lists_only_ones_own_newest_first_from_every_device(ada_browser, drawings_of_both):
    response = ada_browser.get(reverse("accounts:drawings"))

    assert response.status_code == 200
    rows = response.context["rows"]
    assert [(row.kind, row.answer) for row in rows] == [("drawing", "2"), ("number", "42"), ("drawing", "1")]
    html = response.content.decode()
    for key in ("ada_1", "ada_number", "ada_2"):
        assert drawings_of_both[key] in html
    assert drawings_of_both["bob"] not in html and drawings_of_both["anonymous"] not in html
    assert all(row.confidence.endswith("%") for row in rows)


def test_the_thumbnails_on_my_drawings_load_for_the_owner(ada_browser, drawings_of_both):
    rows = ada_browser.get(reverse("accounts:drawings")).context["rows"]

    for row in rows:
        image = ada_browser.get(row.image_url)
        assert image.status_code == 200 and image["Content-Type"].startswith("image/")


def test_my_drawings_is_paginated(ada_browser, ada, digit_image):
    for i in range(PER_PAGE + 1):
        drawing_create(image=digit_image(i % 10), source="api", owner=ada)

    first = ada_browser.get(reverse("accounts:drawings"))
    second = ada_browser.get(reverse("accounts:drawings"), {"page": 2})
    past_the_end = ada_browser.get(reverse("accounts:drawings"), {"page": "999"})
    garbage = ada_browser.get(reverse("accounts:drawings"), {"page": "x"})

    assert len(first.context["rows"]) == PER_PAGE and len(second.context["rows"]) == 1
    assert first.context["page"].paginator.count == PER_PAGE + 1
    assert past_the_end.context["page"].number == 2 and garbage.context["page"].number == 1
    assert 'rel="next"' in first.content.decode()


def test_my_drawings_says_when_there_is_nothing_yet(ada_browser):
    response = ada_browser.get(reverse("accounts:drawings"))

    assert response.status_code == 200 and response.context["rows"] == []
    assert 'data-testid="no-drawings"' in response.content.decode()


def test_deleting_from_my_drawings_asks_first_then_deletes_by_post(ada_browser, drawings_of_both):
    url = reverse("accounts:drawing-delete", args=[drawings_of_both["ada_1"]])

    confirm = ada_browser.get(url)
    assert confirm.status_code == 200 and 'method="post"' in confirm.content.decode()
    assert Drawing.objects.filter(pk=drawings_of_both["ada_1"]).exists()

    assert ada_browser.post(url).status_code == 403  # without the CSRF token
    deleted = csrf_post(ada_browser, url, {"page": "1"}, follow=True)
    assert deleted.status_code == 200 and deleted.redirect_chain[-1][0] == f"{reverse('accounts:drawings')}?page=1"
    assert not Drawing.objects.filter(pk=drawings_of_both["ada_1"]).exists()
    assert "deleted" in deleted.content.decode()
    assert [row.answer for row in deleted.context["rows"]] == ["2", "42"]


def test_deleting_a_number_from_my_drawings_deletes_its_digits(ada_browser, drawings_of_both):
    number_id = drawings_of_both["ada_number"]
    digit_ids = list(Drawing.objects.filter(number_id=number_id).values_list("pk", flat=True))
    assert len(digit_ids) == 2

    response = csrf_post(ada_browser, reverse("accounts:number-delete", args=[number_id]), {})

    assert response.status_code == 302
    assert not Number.objects.filter(pk=number_id).exists()
    assert not Drawing.objects.filter(pk__in=digit_ids).exists()


@pytest.mark.parametrize("key, name", [
    ("bob", "accounts:drawing-delete"),
    ("anonymous", "accounts:drawing-delete"),
    ("ada_number", "accounts:drawing-delete"),  # a number's id is no drawing
    ("ada_1", "accounts:number-delete"),
])
def test_my_drawings_cannot_delete_what_is_not_ones_own(ada_browser, drawings_of_both, key, name):
    url = reverse(name, args=[drawings_of_both[key]])

    assert ada_browser.get(url).status_code == 404
    assert csrf_post(ada_browser, url, {}).status_code == 404
    assert Drawing.objects.count() + Number.objects.count() == 4 + 2 + 1  # 4 drawings, 2 digits, 1 number


def test_a_digit_of_a_number_is_not_deleted_alone_from_my_drawings(ada_browser, drawings_of_both):
    digit = Drawing.objects.filter(number_id=drawings_of_both["ada_number"]).first()

    assert csrf_post(ada_browser, reverse("accounts:drawing-delete", args=[digit.pk]), {}).status_code == 404
    assert Drawing.objects.filter(pk=digit.pk).exists()


def test_staff_see_only_their_own_drawings_on_my_drawings(drawings_of_both, admin_user):
    staff = Client()
    staff.force_login(admin_user)

    assert staff.get(reverse("accounts:drawings")).context["rows"] == []


def test_password_change_keeps_the_user_signed_in(ada_browser, ada):
    new_password = "a-changed-Passphrase-for-digits-9"
    response = csrf_post(ada_browser, reverse("accounts:password_change"), {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    })

    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change_done")
    ada.refresh_from_db()
    assert ada.check_password(new_password) and signed_in_user(ada_browser) == ada
