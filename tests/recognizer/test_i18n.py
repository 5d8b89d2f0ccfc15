"""Languages (docs/i18n.md): English, German, French, Spanish and Italian for the page, the admin's own texts
and the API's error messages, chosen by the switcher's cookie, else Accept-Language.

- the catalogues: every entry translated, none fuzzy, the committed .mo files compiled from the .po files
  as they are, and every string marked in the code present (makemessages run on a copy of the sources);
- the choice: Accept-Language, the switcher's cookie over it, <html lang>, Content-Language;
- the API: error messages in the request's language, the JSON shape unchanged, English messages raised in
  ml/ and elsewhere translated at the edge (recognizer/error_messages.py);
- the admin: translatable names without a migration (recognizer/field_labels.py);
- no page string escapes translation: every page rendered in English and in German, and no text a person
  reads (text nodes, title, aria-label, placeholder, alt, button values) comes back unchanged in German,
  apart from names and symbols (ALLOWED_WORDS) and the framework's own strings.
"""
import base64
import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext
from PIL import Image

from ml.artifacts import SHIPPED_DIR, read_metrics
from ml.report import Report
from recognizer import error_messages, field_labels, number_services, services
from recognizer.models import Drawing
from tests.recognizer.number_images import number_png
from tests.recognizer.page_text import framework_msgids, readable_texts, words

REPO = Path(__file__).resolve().parents[2]
LOCALE = REPO / "locale"
TRANSLATED = ["de", "fr", "es", "it"]
DOMAINS = ["django", "djangojs"]
MSGFMT = shutil.which("msgfmt")
# What the sources of the catalogues are: everything makemessages reads (tests and runtime state are not).
SOURCES = ["recognizer", "templates", "static", "digitsite", "manage.py"]
MAKEMESSAGES = {"add_location": "file", "ignore_patterns": ["var/*", "tests/*"], "no_obsolete": True}


def needs_msgfmt():
    if MSGFMT is None:
        pytest.fail("GNU gettext's msgfmt is missing (apt-get install gettext): the catalogues cannot be checked")


def catalogue(language: str, domain: str) -> Path:
    return LOCALE / language / "LC_MESSAGES" / f"{domain}.po"


def entries(po_file: Path) -> set[tuple[str | None, str]]:
    """(msgctxt, msgid) of every live entry, the header left out."""
    found, context, field, parts = set(), None, None, {}

    def flush():
        if parts.get("msgid"):
            found.add((parts.get("msgctxt"), parts["msgid"]))
        parts.clear()

    for line in po_file.read_text(encoding="utf-8").splitlines():
        if line.startswith("#~"):
            continue
        match = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) (\".*\")$", line)
        if match:
            if match.group(1) in ("msgctxt", "msgid") and "msgstr" in parts:
                flush()
            field = match.group(1)
            parts[field] = _unquote(match.group(2))
        elif line.startswith('"') and field:
            parts[field] += _unquote(line)
        elif not line.strip():
            flush()
    flush()
    return found


def _unquote(quoted: str) -> str:
    return quoted[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")


# --- the catalogues ----------------------------------------------------------------------------------


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", TRANSLATED)
def test_every_entry_is_translated_none_fuzzy_and_the_mo_file_is_compiled_from_it(language, domain, tmp_path):
    needs_msgfmt()
    po_file = catalogue(language, domain)
    compiled = tmp_path / "compiled.mo"
    result = subprocess.run([MSGFMT, "--check", "--statistics", "-o", str(compiled), str(po_file)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(r"\d+ translated messages?\.", result.stderr.strip()), (
        f"{po_file.relative_to(REPO)}: {result.stderr.strip()} (translate them, and drop the fuzzy flags)"
    )
    # compilemessages runs msgfmt the same way; a stale .mo means it was not run after the last edit.
    assert compiled.read_bytes() == po_file.with_suffix(".mo").read_bytes(), (
        f"{po_file.with_suffix('.mo').relative_to(REPO)} is not compiled from its .po: run "
        "`python manage.py compilemessages -l de -l fr -l es -l it -i .venv -i var` and commit the .mo files"
    )


def test_the_catalogues_hold_every_string_marked_in_the_code(tmp_path):
    """makemessages, run on a copy of the sources, finds no string the committed catalogues lack, and
    none they hold is gone from the code: nobody forgot to run it (docs/i18n.md says how)."""
    needs_msgfmt()
    for name in SOURCES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, tmp_path / name)
    shutil.copytree(LOCALE, tmp_path / "locale")
    with override_settings(LOCALE_PATHS=[tmp_path / "locale"]), _working_directory(tmp_path):
        for domain in DOMAINS:
            call_command("makemessages", locale=["de"], domain=domain, verbosity=0, **MAKEMESSAGES)
    for domain in DOMAINS:
        fresh, committed = entries(tmp_path / catalogue("de", domain).relative_to(REPO)), entries(catalogue("de", domain))
        assert not fresh - committed, f"marked in the code but missing from locale/*/{domain}.po: {sorted(fresh - committed)}"
        assert not committed - fresh, f"in locale/*/{domain}.po but no longer in the code: {sorted(committed - fresh)}"
    for language in TRANSLATED[1:]:
        for domain in DOMAINS:
            assert entries(catalogue(language, domain)) == entries(catalogue("de", domain)), (language, domain)


class _working_directory:
    def __init__(self, path: Path):
        self.path, self.previous = path, None

    def __enter__(self):
        import os

        self.previous = os.getcwd()
        os.chdir(self.path)

    def __exit__(self, *exc):
        import os

        os.chdir(self.previous)


# --- choosing the language ---------------------------------------------------------------------------


def html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.content.decode()).group(1)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("de-DE,de;q=0.9,en;q=0.5", "de"), ("fr-CH, fr;q=0.9", "fr"), ("es-MX", "es"), ("it", "it"),
     ("en-GB", "en"), ("ja, zh;q=0.8", "en"), ("", "en")],
)
def test_accept_language_chooses_the_page_language(client, accept_language, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    assert html_lang(response) == expected and response["Content-Language"] == expected
    assert "Accept-Language" in response["Vary"]
    with translation.override(expected):
        assert gettext("Handwritten digit recognition") in response.content.decode()


@pytest.mark.django_db
def test_the_switchers_cookie_wins_over_accept_language_and_returns_to_the_page(client):
    page = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert html_lang(page) == "de"
    answer = client.post(reverse("set_language"), {"language": "it", "next": "/account/login/"},
                         HTTP_ACCEPT_LANGUAGE="de")
    assert answer.status_code == 302 and answer["Location"] == "/account/login/"
    assert client.cookies["django_language"].value == "it"
    again = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="de")
    assert html_lang(again) == "it" and "Lingua" in again.content.decode()
    api = client.get("/api/predictions/no-such-id/", HTTP_ACCEPT_LANGUAGE="de")
    assert api.json() == {"status": "error", "error": "nessun disegno con questo id"}


@pytest.mark.django_db
def test_the_switcher_names_each_language_in_itself_and_marks_the_current_one(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    form = re.search(r'<form class="language-switch".*?</form>', html, re.S).group(0)
    assert f'action="{reverse("set_language")}"' in form and 'method="post"' in form
    buttons = re.findall(r'<button type="submit" name="language" value="(\w+)" lang="(\w+)".*?>(.*?)</button>', form, re.S)
    assert [(value, lang, name) for value, lang, name in buttons] == [
        ("en", "en", "English"), ("de", "de", "Deutsch"), ("fr", "fr", "Français"),
        ("es", "es", "Español"), ("it", "it", "Italiano"),
    ]
    assert re.search(r'value="es"[^>]*aria-current="true"', form) and form.count("aria-current") == 1
    assert "<legend>Idioma</legend>" in form


# --- the API -----------------------------------------------------------------------------------------


def post_image(client, image: str, language: str):
    return client.post("/api/predictions/", {"image": image}, content_type="application/json",
                       HTTP_ACCEPT_LANGUAGE=language)


def png(size: tuple[int, int], colour="white") -> str:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


@pytest.mark.django_db
@pytest.mark.parametrize("language", TRANSLATED)
def test_api_errors_are_in_the_requests_language_in_the_same_json_shape(client, language):
    cases = [
        # (what is sent, the English message; "image: " when the serializer refused it, ml.preprocess says no field)
        (base64.b64encode(b"hello, not an image").decode(), "not an image, or an image format we cannot read"),
        (png((280, 280)), "no digit found in the drawing"),
        ("data:image/png,abc", "image: not a base64 data URL; expected data:image/png;base64,..."),
        ("!!!", "image: not valid base64"),
    ]
    for image, english in cases:
        answer = post_image(client, image, language)
        assert answer.status_code == 400 and answer["Content-Language"] == language
        body = answer.json()
        assert set(body) == {"status", "error"} and body["status"] == "error"
        field, _, message = english.rpartition("image: ")
        with translation.override(language):
            expected = english.replace(message, gettext(message))
        assert expected != english and body["error"] == expected, (language, body)
        assert post_image(client, image, "en").json()["error"] == english
    assert Drawing.objects.count() == 0


@pytest.mark.django_db
@override_settings(DIGITS_MAX_PIXELS=1_000_000)
def test_figures_in_messages_are_written_the_languages_way(client):
    """ml.preprocess says "1,000,000" in English; the German answer groups it with dots."""
    image = png((1200, 1000))
    assert post_image(client, image, "en").json()["error"] == (
        "image too large: 1200x1000 pixels, the limit is 1,000,000 pixels")
    assert post_image(client, image, "de").json()["error"] == (
        "Bild zu groß: 1200×1000 Pixel, die Grenze liegt bei 1.000.000 Pixeln")


@pytest.mark.django_db
def test_drf_and_django_messages_follow_the_language_too(client, django_user_model):
    """DRF's own messages: a broken JSON body (DRF leaves it unmarked: error_messages.py), field errors
    (DRF's catalogues, and drf_messages.py where DRF's Italian lacks them)."""
    broken = client.post("/api/predictions/", "{", content_type="application/json", HTTP_ACCEPT_LANGUAGE="de")
    assert broken.status_code == 400 and broken.json()["error"].startswith("JSON-Fehler beim Lesen - ")
    staff = django_user_model.objects.create_user("staff-i18n", password="pw-staff-i18n-1", is_staff=True)
    client.force_login(staff)
    too_big = client.get("/api/predictions/?digit=12", HTTP_ACCEPT_LANGUAGE="fr")
    assert too_big.json() == {"status": "error", "error": "digit: Assurez-vous que cette valeur est inférieure ou égale à 9."}
    not_boolean = client.get("/api/predictions/?confirmed=perhaps", HTTP_ACCEPT_LANGUAGE="it")
    assert not_boolean.json() == {"status": "error", "error": "confirmed: Deve essere un valore booleano valido."}
    page = client.get("/api/predictions/?page=x", HTTP_ACCEPT_LANGUAGE="es")
    assert page.json() == {"status": "error", "error": "page: debe ser un número entero, al menos 1, o 'last'"}


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "wait"), [("de", "Die Anfrage wurde gedrosselt."), ("it", "secondi")])
def test_a_throttled_client_reads_the_wait_in_its_language(client, blank_png, settings, language, wait):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"predict": "1/min"}}
    image = base64.b64encode(blank_png).decode()
    post_image(client, image, language)
    throttled = post_image(client, image, language)
    assert throttled.status_code == 429 and "Retry-After" in throttled.headers
    message = throttled.json()["error"]
    assert wait in message and "Expected" not in message, message  # DRF's Italian keeps "(throttled)"


# English messages raised where they cannot be marked (ml/, the services, the model files, Django), as they
# read there; recognizer/error_messages.py must know each one.
RAISED_IN_ENGLISH = [
    "no digit found in the drawing",
    "the image file is empty",
    "not an image, or an image format we cannot read",
    "image too large: more than 16,000,000 pixels",
    "the image is corrupt (broken data stream when reading image file)",
    "unsupported image format ICO; send PNG, JPEG, WebP, GIF or BMP",
    "image too large: 5000x4000 pixels, the limit is 16,000,000 pixels",
    "the image is truncated or corrupt (OSError)",
    "no ink found in the drawing",
    "too many digits: 40 found, at most 32 are read",
    "too many separate strokes: at most 32 digits are read",
    "this drawing is digit 2 of number 1b2c3d4e-0000-4000-8000-000000000000: delete the number instead (in the "
    "admin), which deletes its digits with it",
    "the model file of version v7 cannot be loaded",
    "the model file of version v7 is neither on this server nor in the database",
    "the stored model file of version v7 does not match its checksum",
    "this server cannot write its copy of model version v7",
    "The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.",
    "The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.",
    "JSON parse error - Expecting value: line 1 column 2 (char 1)",
]


def test_every_message_raised_in_english_is_known_and_translated():
    known = {entry.pattern.pattern for entry in error_messages.KNOWN}
    matched = {entry.pattern.pattern for message in RAISED_IN_ENGLISH for entry in error_messages.KNOWN
               if entry.pattern.match(message)}
    assert matched == known, f"patterns without an example here: {known - matched}"
    for message in RAISED_IN_ENGLISH:
        with translation.override("en"):
            assert error_messages.translate(message) == message
        for language in TRANSLATED:
            with translation.override(language):
                translated = error_messages.translate(message)
            assert translated != message and "{" not in translated and "%(" not in translated, (language, message)
    with translation.override("de"):
        assert error_messages.translate("image too large: 5000x4000 pixels, the limit is 16,000,000 pixels") == (
            "Bild zu groß: 5000×4000 Pixel, die Grenze liegt bei 16.000.000 Pixeln")
        assert error_messages.translate("a message nobody knows") == "a message nobody knows"


def test_ml_still_raises_the_messages_known_here():
    """The real ml.preprocess messages, so a change there shows up as a failure here, not as English."""
    from ml.preprocess import DrawingError, preprocess

    raised = []
    for data in (b"", b"plain text", _png_bytes((280, 280))):
        with pytest.raises(DrawingError) as caught:
            preprocess(data)
        raised.append(str(caught.value))
    with pytest.raises(DrawingError) as caught:
        preprocess(_png_bytes((300, 200)), max_pixels=1000)
    raised.append(str(caught.value))
    assert raised == ["the image file is empty", "not an image, or an image format we cannot read",
                      "no digit found in the drawing", "image too large: 300x200 pixels, the limit is 1,000 pixels"]
    for message in raised:
        with translation.override("de"):
            assert error_messages.translate(message) != message


def _png_bytes(size) -> bytes:
    buffer = io.BytesIO()
    Image.new("L", size, 255).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.django_db
@pytest.mark.fresh_database
def test_health_says_what_is_wrong_in_the_language_asked(client):
    answer = client.get("/health", HTTP_ACCEPT_LANGUAGE="fr")
    assert answer.status_code == 503 and answer.json()["error"] == "aucune version du modèle n'est active"


# --- the admin's names, without a migration ----------------------------------------------------------


@pytest.mark.django_db
def test_field_names_are_translatable_without_a_migration():
    call_command("makemigrations", "recognizer", check=True, dry_run=True, verbosity=0)  # SystemExit on changes
    for model in apps.get_app_config("recognizer").get_models():
        unnamed = {field.name for field in model._meta.get_fields()
                   if getattr(field, "_verbose_name", "") is None}  # declared without a verbose name
        listed = set(field_labels.FIELDS.get(model._meta.model_name, {}))
        assert unnamed <= listed, f"{model.__name__}: add {sorted(unnamed - listed)} to recognizer/field_labels.py"
        with translation.override("de"):
            assert str(model._meta.verbose_name) != model._meta.model_name or model._meta.model_name == "job"
    with translation.override("de"):
        assert str(Drawing._meta.get_field("predicted_digit").verbose_name) == "vorhergesagte Ziffer"
        assert str(Drawing._meta.verbose_name_plural) == "Zeichnungen"


# --- no page string escapes translation ---------------------------------------------------------------

# Words a German page shows as the English one does on purpose: names, units, codes, and German words spelt
# like English ones. Anything else the two share was never translated.
ALLOWED_WORDS = {
    "digits", "api", "json", "rest", "mnist", "ece", "auroc", "sha", "png", "jpeg", "webp", "gif", "bmp", "tflite",
    "keras", "redis", "prometheus", "promql", "swagger", "redoc", "django", "utc", "url", "csv", "npz", "idx", "zip",
    "post", "auto",  # an HTTP method; the import form's format choice, a value
    "true", "false",  # the alt text of Django's own yes/no icons in admin lists
    "english", "deutsch", "français", "español", "italiano",  # the switcher: each language named in itself
    "name", "status", "token", "tokens", "start", "min", "labels", "position", "version", "format",  # so in German
}


def names_of_other_apps() -> set[str]:
    """The names of Django's and third-party apps and their models, as the admin index shows them."""
    names = set()
    for config in apps.get_app_configs():
        if config.name == "recognizer":
            continue
        names.add(str(config.verbose_name))
        for model in config.get_models():
            names.update({capfirst(str(model._meta.verbose_name)), capfirst(str(model._meta.verbose_name_plural))})
    return names


def escaped(english_html: str, german_html: str, allowed: set[str]) -> list[str]:
    """Texts the German page shows exactly as the English page does, with a word that is no name or symbol."""
    same = readable_texts(german_html) & readable_texts(english_html)
    framework = framework_msgids() | names_of_other_apps()
    return sorted(text for text in same if text not in framework and words(text) - ALLOWED_WORDS - allowed)


@pytest.fixture
def site(db, client, django_user_model, digit_image, mnist_test):
    """A site with something on every page: drawings (one confirmed, one suggested), a number, a second model
    version, a user with a drawing and an API token, and a staff member."""
    from rest_framework.authtoken.models import Token

    drawing = services.drawing_create(image=digit_image(3), source="api")
    other = services.drawing_create(image=digit_image(5), source="page")
    services.drawing_suggest_label(drawing=other, label=6)
    number = number_services.number_create(image=number_png(mnist_test, "42"), source="api")
    user = django_user_model.objects.create_user("ada", email="ada@example.com", password="pw-ada-lovelace-1")
    owned = services.drawing_create(image=digit_image(7), source="page", owner=user)
    Token.objects.create(user=user)
    staff = django_user_model.objects.create_superuser("grace", email="grace@example.com", password="pw-grace-h-1")
    services.drawing_confirm_label(drawing=drawing, label=3, user=staff)
    report = Report.from_dict(read_metrics(SHIPPED_DIR))
    report.version = "i18n-second"  # the shipped file again, for the comparison page
    services.model_version_register(work_dir=SHIPPED_DIR, destination=SHIPPED_DIR, metrics=report.to_dict())
    versions = list(apps.get_model("recognizer", "ModelVersion").objects.order_by("pk"))
    return {"drawing": drawing, "number": number, "user": user, "owned": owned, "staff": staff, "versions": versions}


def pages(site) -> dict[str, list[str]]:
    """Who reads which pages: anonymous visitors, a signed-in user, staff."""
    drawing, number, owned = site["drawing"], site["number"], site["owned"]
    version, second = site["versions"][:2]
    return {
        "anonymous": ["/", "/account/login/", "/account/signup/", "/account/password_reset/",
                      "/account/password_reset/done/", "/account/reset/done/", "/account/reset/MQ/bad-token/",
                      "/api/docs/", "/api/redoc/"],
        "user": ["/account/drawings/", "/account/token/", "/account/password_change/",
                 "/account/password_change/done/", f"/account/drawings/{owned.pk}/delete/"],
        "staff": ["/admin/", "/admin/recognizer/drawing/", f"/admin/recognizer/drawing/{drawing.pk}/change/",
                  "/admin/recognizer/drawing/?confirmed=no", reverse("admin:recognizer_drawing_review"),
                  reverse("admin:recognizer_drawing_import_dataset"),
                  "/admin/recognizer/number/", f"/admin/recognizer/number/{number.pk}/change/",
                  "/admin/recognizer/modelversion/", f"/admin/recognizer/modelversion/{version.pk}/change/",
                  reverse("admin:recognizer_modelversion_compare") + f"?versions={version.pk},{second.pk}",
                  "/admin/recognizer/job/", "/admin/monitoring/"],
    }


@pytest.mark.django_db
def test_no_page_string_escapes_translation(client, site):
    data = [version.name for version in site["versions"]] + ["ada grace example com"]
    for version in site["versions"]:  # what the reports say: data source and validation set names, the command
        report = version.report
        data += [name.replace("_", " ") for name in [*report.data, *report.evaluations]] + [report.command or ""]
    allowed = {word for text in data for word in words(text)}
    found = {}
    for who, urls in pages(site).items():
        if who != "anonymous":
            client.force_login(site["user"] if who == "user" else site["staff"])
        for url in urls:
            english, german = (client.get(url, HTTP_ACCEPT_LANGUAGE=language) for language in ("en", "de"))
            assert english.status_code == german.status_code == 200, (url, english.status_code)
            assert url.startswith("/api/") or html_lang(german) == "de", url
            left = escaped(english.content.decode(), german.content.decode(), allowed)
            if left:
                found[url] = left
    assert not found, "English left on German pages (mark them for translation, then makemessages): " + "\n".join(
        f"{url}: {texts}" for url, texts in found.items())
