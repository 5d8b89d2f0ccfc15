"""Staff review in the Django admin: thumbnails, filters, and label confirmation through the service."""
import pytest
from django.urls import reverse

from recognizer.models import Drawing, ModelVersion
from recognizer.percent import FIGURE_DECIMALS, format_percent
from recognizer.services import (
    drawing_confirm_label,
    drawing_confirm_not_a_digit,
    drawing_create,
    drawing_suggest_label,
    drawing_suggest_not_a_digit,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:recognizer_drawing_changelist"


@pytest.fixture
def drawings(digit_image):
    return [drawing_create(image=digit_image(d), source="api") for d in (1, 2)]


def test_changelist_shows_both_thumbnails(admin_client, drawings):
    response = admin_client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    html = response.content.decode()
    for drawing in drawings:
        assert f'src="/api/predictions/{drawing.pk}/image"' in html
        assert f'src="/api/predictions/{drawing.pk}/input"' in html


@pytest.mark.parametrize(
    "query",
    [
        "predicted_digit__exact=1",
        "confirmed=no",
        "confirmed=yes",
        "disagreement=yes",
        "disagreement=confirmed",
        "low_confidence=yes",
        "not_a_digit=predicted",
        "not_a_digit=suggested",
        "not_a_digit=confirmed",
        "source__exact=api",
        "q=0",
    ],
)
def test_changelist_filters_and_search_render(admin_client, drawings, query):
    response = admin_client.get(reverse(CHANGELIST) + "?" + query)

    assert response.status_code == 200


def test_search_by_id_prefix_finds_the_drawing(admin_client, drawings):
    prefix = str(drawings[0].pk)[:8]
    response = admin_client.get(reverse(CHANGELIST), {"q": prefix})

    assert list(response.context["cl"].result_list) == [drawings[0]]


def test_change_page_shows_the_drawing_and_hides_raw_bytes(admin_client, drawings):
    drawing = drawings[0]
    response = admin_client.get(reverse("admin:recognizer_drawing_change", args=[drawing.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert f"/api/predictions/{drawing.pk}/image" in html and f"/api/predictions/{drawing.pk}/input" in html
    assert set(response.context["adminform"].form.fields) == {"confirmed_label", "confirmed_not_a_digit"}


def test_change_page_confirms_through_the_service(admin_client, admin_user, drawings):
    drawing = drawings[0]
    url = reverse("admin:recognizer_drawing_change", args=[drawing.pk])
    response = admin_client.post(url, {"confirmed_label": 7, "_save": "Save"})

    assert response.status_code == 302
    drawing.refresh_from_db()
    assert drawing.confirmed_label == 7 and drawing.confirmed_by == admin_user and drawing.confirmed_at


def test_list_editable_confirms_through_the_service(admin_client, admin_user, drawings):
    data = {
        "form-TOTAL_FORMS": "2",
        "form-INITIAL_FORMS": "2",
        "form-0-id": str(drawings[1].pk),  # newest first
        "form-0-confirmed_label": "4",
        "form-1-id": str(drawings[0].pk),
        "form-1-confirmed_label": "",
        "_save": "Save",
    }
    response = admin_client.post(reverse(CHANGELIST), data)

    assert response.status_code == 302
    changed, untouched = Drawing.objects.get(pk=drawings[1].pk), Drawing.objects.get(pk=drawings[0].pk)
    assert changed.confirmed_label == 4 and changed.confirmed_by == admin_user and changed.confirmed_at
    assert untouched.confirmed_label is None and untouched.confirmed_by is None


def test_list_editable_refuses_a_non_digit(admin_client, drawings):
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(drawings[1].pk),
        "form-0-confirmed_label": "12",
        "_save": "Save",
    }
    response = admin_client.post(reverse(CHANGELIST), data)

    assert response.status_code == 200  # the list again, with the error
    assert Drawing.objects.get(pk=drawings[1].pk).confirmed_label is None


def test_action_confirms_the_predictions(admin_client, admin_user, drawings):
    data = {"action": "confirm_prediction", "_selected_action": [str(d.pk) for d in drawings]}
    response = admin_client.post(reverse(CHANGELIST), data)

    assert response.status_code == 302
    for drawing in drawings:
        drawing.refresh_from_db()
        assert drawing.confirmed_label == drawing.predicted_digit and drawing.confirmed_by == admin_user


def test_action_accepts_suggestions_and_skips_drawings_without_one(admin_client, admin_user, drawings):
    drawing_suggest_label(drawing=drawings[0], label=9)
    data = {"action": "accept_suggestion", "_selected_action": [str(d.pk) for d in drawings]}
    admin_client.post(reverse(CHANGELIST), data)

    suggested, other = Drawing.objects.get(pk=drawings[0].pk), Drawing.objects.get(pk=drawings[1].pk)
    assert suggested.confirmed_label == 9 and suggested.confirmed_by == admin_user
    assert other.confirmed_label is None


def test_drawings_cannot_be_added_by_hand(admin_client):
    assert admin_client.get(reverse("admin:recognizer_drawing_add")).status_code == 403


def test_model_versions_are_read_only_with_metrics(admin_client, drawings):
    version = ModelVersion.objects.get(is_active=True)
    listing = admin_client.get(reverse("admin:recognizer_modelversion_changelist"))
    detail = admin_client.get(reverse("admin:recognizer_modelversion_change", args=[version.pk]))

    assert listing.status_code == 200 and version.name in listing.content.decode()
    page = detail.content.decode()
    accuracy = format_percent(version.test_accuracy, FIGURE_DECIMALS)
    assert detail.status_code == 200 and f"<td>mnist_test</td><td>10000</td><td>{accuracy}</td>" in page
    assert "&quot;accuracy&quot;" not in page  # figures as a table, not a raw JSON dump
    assert not detail.context["has_change_permission"]


def test_model_version_pages_show_accuracy_training_set_and_plots(admin_client, drawings):
    version = ModelVersion.objects.get(is_active=True)
    listing = admin_client.get(reverse("admin:recognizer_modelversion_changelist")).content.decode()
    detail = admin_client.get(reverse("admin:recognizer_modelversion_change", args=[version.pk])).content.decode()

    assert format_percent(version.test_accuracy, FIGURE_DECIMALS) in listing
    assert "55,000 mnist train" in listing
    assert detail.count('src="data:image/png;base64,') == 3  # training curves, confusion matrix, reliability


def test_admin_action_activates_a_version_through_the_service(admin_client, drawings, tmp_path):
    shipped = ModelVersion.objects.get(is_active=True)
    copy = ModelVersion.objects.create(name="copy", artifact=shipped.artifact, sha256=shipped.sha256, metrics=shipped.metrics)
    changelist = reverse("admin:recognizer_modelversion_changelist")

    admin_client.post(changelist, {"action": "activate", "_selected_action": [copy.pk]})
    assert ModelVersion.objects.get(is_active=True) == copy

    gone = ModelVersion.objects.create(name="gone", artifact=str(tmp_path / "gone.tflite"), sha256="0" * 64)
    response = admin_client.post(changelist, {"action": "activate", "_selected_action": [gone.pk]}, follow=True)
    assert "its model file is missing or changed" in response.content.decode()
    assert ModelVersion.objects.get(is_active=True) == copy


def test_drawing_list_shows_which_version_predicted_each_drawing(admin_client, drawings):
    html = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert drawings[0].model_version.name in html


# ---- "not a digit" ------------------------------------------------------------------------------


def changelist_ids(admin_client, query: str) -> set:
    response = admin_client.get(reverse(CHANGELIST) + "?" + query)
    assert response.status_code == 200
    return {d.pk for d in response.context["cl"].result_list}


def test_not_a_digit_filter_tells_the_model_the_user_and_staff_apart(admin_client, admin_user, digit_image):
    drawings = [drawing_create(image=digit_image(d), source="api") for d in (1, 2, 3, 4)]
    model_says, suggested, confirmed, untouched = drawings
    Drawing.objects.filter(pk=model_says.pk).update(digit_score=0.05, is_digit=False)
    drawing_suggest_not_a_digit(drawing=suggested)
    drawing_confirm_not_a_digit(drawing=confirmed, user=admin_user)

    assert changelist_ids(admin_client, "not_a_digit=predicted") == {model_says.pk}
    assert changelist_ids(admin_client, "not_a_digit=suggested") == {suggested.pk}
    assert changelist_ids(admin_client, "not_a_digit=confirmed") == {confirmed.pk}
    assert changelist_ids(admin_client, "confirmed=yes") == {confirmed.pk}
    assert untouched.pk in changelist_ids(admin_client, "confirmed=no")


def test_changelist_shows_the_digit_verdict_and_score(admin_client, drawings):
    Drawing.objects.filter(pk=drawings[0].pk).update(digit_score=0.125, is_digit=False)
    Drawing.objects.filter(pk=drawings[1].pk).update(digit_score=0.875, is_digit=True)
    html = admin_client.get(reverse(CHANGELIST)).content.decode()

    assert "Is a digit (score)" in html  # the column header
    assert "not a digit (0.12)" in html and "digit (0.88)" in html


def test_action_confirms_not_a_digit_through_the_service(admin_client, admin_user, drawings):
    drawing_confirm_label(drawing=drawings[0], label=1, user=admin_user)
    data = {"action": "confirm_not_a_digit", "_selected_action": [str(d.pk) for d in drawings]}
    response = admin_client.post(reverse(CHANGELIST), data, follow=True)

    assert "Confirmed 2 drawing(s) as not a digit." in response.content.decode()
    for drawing in drawings:
        drawing.refresh_from_db()
        assert drawing.confirmed_not_a_digit and drawing.confirmed_label is None
        assert drawing.confirmed_by == admin_user and drawing.confirmed_at


def test_action_accepts_a_suggested_not_a_digit(admin_client, admin_user, drawings):
    drawing_suggest_not_a_digit(drawing=drawings[0])
    drawing_suggest_label(drawing=drawings[1], label=7)
    data = {"action": "accept_suggestion", "_selected_action": [str(d.pk) for d in drawings]}
    admin_client.post(reverse(CHANGELIST), data)

    not_a_digit, seven = Drawing.objects.get(pk=drawings[0].pk), Drawing.objects.get(pk=drawings[1].pk)
    assert not_a_digit.confirmed_not_a_digit and not_a_digit.confirmed_label is None
    assert seven.confirmed_label == 7 and not seven.confirmed_not_a_digit


def test_change_page_confirms_not_a_digit_through_the_service(admin_client, admin_user, drawings):
    drawing = drawings[0]
    url = reverse("admin:recognizer_drawing_change", args=[drawing.pk])
    response = admin_client.post(url, {"confirmed_label": "", "confirmed_not_a_digit": "on", "_save": "Save"})

    assert response.status_code == 302
    drawing.refresh_from_db()
    assert drawing.confirmed_not_a_digit and drawing.confirmed_by == admin_user and drawing.confirmed_at


def test_change_page_refuses_a_label_and_not_a_digit_together(admin_client, drawings):
    drawing = drawings[0]
    url = reverse("admin:recognizer_drawing_change", args=[drawing.pk])
    response = admin_client.post(url, {"confirmed_label": "4", "confirmed_not_a_digit": "on", "_save": "Save"})

    assert response.status_code == 200  # the form again, with the error
    assert "confirmed either as a digit or as not a digit, not both" in response.content.decode()
    drawing.refresh_from_db()
    assert drawing.confirmed_label is None and not drawing.confirmed_not_a_digit


def test_unticking_not_a_digit_clears_the_confirmation(admin_client, admin_user, drawings):
    drawing = drawing_confirm_not_a_digit(drawing=drawings[0], user=admin_user)
    url = reverse("admin:recognizer_drawing_change", args=[drawing.pk])
    admin_client.post(url, {"confirmed_label": "", "_save": "Save"})

    drawing.refresh_from_db()
    assert not drawing.is_confirmed and drawing.confirmed_by is None


def test_list_editable_label_replaces_a_confirmed_not_a_digit(admin_client, admin_user, drawings):
    drawing_confirm_not_a_digit(drawing=drawings[1], user=admin_user)
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(drawings[1].pk),
        "form-0-confirmed_label": "2",
        "_save": "Save",
    }
    response = admin_client.post(reverse(CHANGELIST), data)

    assert response.status_code == 302
    changed = Drawing.objects.get(pk=drawings[1].pk)
    assert changed.confirmed_label == 2 and not changed.confirmed_not_a_digit


@pytest.mark.parametrize("changelist", [CHANGELIST, "admin:recognizer_modelversion_changelist", "admin:recognizer_number_changelist"])
def test_changelists_never_load_the_model_files(admin_client, drawings, changelist):
    """A version's .tflite and .keras (a few MB, in the database for every server) are read by
    recognizer.model_files only, never once per listed row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert ModelVersion.objects.filter(model_file__isnull=False).exists()
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(reverse(changelist)).status_code == 200

    selected = [query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("SELECT")]
    assert selected and not [sql for sql in selected if "model_file" in sql or "keras_file" in sql]
