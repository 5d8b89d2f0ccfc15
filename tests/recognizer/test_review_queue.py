"""The staff review queue: its order, its JSON endpoint (confirm, not a digit, skip, undo), permissions and
refusals; and the drawing list's review aids (set-label actions, label validation, digit search)."""
import json

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from recognizer.models import Drawing
from recognizer.percent import format_percent
from recognizer.review.selectors import DISAGREEMENT, NEWEST, UNSURE, review_queue
from recognizer.services import drawing_confirm_label, drawing_create, drawing_suggest_label

pytestmark = pytest.mark.django_db

PAGE = "admin:recognizer_drawing_review"
ACTION = "admin:recognizer_drawing_review_action"
CHANGELIST = "admin:recognizer_drawing_changelist"


@pytest.fixture
def drawings(digit_image):
    """Four drawings of 1, 2, 3, 4 (oldest first), with chosen confidences and digit scores."""
    made = [drawing_create(image=digit_image(d), source="api") for d in (1, 2, 3, 4)]
    figures = [(0.99, 0.99), (0.60, 0.95), (0.95, 0.30), (0.97, None)]
    for drawing, (confidence, score) in zip(made, figures):
        Drawing.objects.filter(pk=drawing.pk).update(confidence=confidence, digit_score=score)
    return [Drawing.objects.get(pk=d.pk) for d in made]


def post(client, body, *, raw=None):
    data = raw if raw is not None else json.dumps(body)
    return client.post(reverse(ACTION), data=data, content_type="application/json")


def test_queue_orders_most_unsure_first_and_leaves_out_confirmed(drawings, admin_user):
    one, two, three, four = drawings
    drawing_confirm_label(drawing=four, label=4, user=admin_user)

    assert [d.pk for d in review_queue(order=UNSURE)] == [three.pk, two.pk, one.pk]  # 0.30, 0.60, 0.99


def test_queue_puts_user_disagreement_first_then_newest(drawings):
    one, two, three, four = drawings
    drawing_suggest_label(drawing=one, label=7)  # the model said 1
    drawing_suggest_label(drawing=two, label=two.predicted_digit)  # agrees: no disagreement

    assert [d.pk for d in review_queue(order=DISAGREEMENT)][0] == one.pk
    assert [d.pk for d in review_queue(order=NEWEST)] == [four.pk, three.pk, two.pk, one.pk]
    assert len(review_queue(order=NEWEST, size=2)) == 2


def test_page_shows_the_batch_with_guesses_and_progress(admin_client, drawings):
    response = admin_client.get(reverse(PAGE), {"size": 2})

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 2" in html and html.count('class="review-card"') == 2
    third = drawings[2]
    assert f'data-id="{third.pk}"' in html and f"/api/predictions/{third.pk}/input" in html
    top = max(range(10), key=lambda d: third.probabilities[d])
    assert f"<b>{top}</b> {format_percent(third.probabilities[top])}" in html
    assert 'aria-live="polite"' in html


def test_page_refuses_a_bad_batch_size_with_a_form_error(admin_client, drawings):
    response = admin_client.get(reverse(PAGE), {"size": "lots", "order": "random"})

    assert response.status_code == 200
    assert response.context["form"].errors.keys() == {"size", "order"}
    assert len(response.context["cards"]) == 4  # the default batch meanwhile


def test_confirm_label_then_not_a_digit_through_the_endpoint(admin_client, admin_user, drawings):
    first, second = drawings[0], drawings[1]
    answer = post(admin_client, {"action": "label", "drawing": str(first.pk), "label": 7})
    assert answer.status_code == 200 and answer.json()["drawing"] == str(first.pk)
    assert "confirmed as 7" in answer.json()["message"]

    assert post(admin_client, {"action": "not_a_digit", "drawing": str(second.pk)}).status_code == 200

    first.refresh_from_db(), second.refresh_from_db()
    assert first.confirmed_label == 7 and first.confirmed_by == admin_user and first.confirmed_at
    assert second.confirmed_not_a_digit and second.confirmed_label is None and second.confirmed_by == admin_user


def test_skip_changes_nothing_and_undo_walks_back_in_order(admin_client, drawings):
    first, second, third = drawings[:3]
    post(admin_client, {"action": "label", "drawing": str(first.pk), "label": 7})
    post(admin_client, {"action": "not_a_digit", "drawing": str(second.pk)})
    skipped = post(admin_client, {"action": "skip", "drawing": str(third.pk)})
    assert skipped.status_code == 200
    assert not Drawing.objects.get(pk=third.pk).is_confirmed

    undone = [post(admin_client, {"action": "undo"}).json()["drawing"] for _ in range(2)]
    assert undone == [str(third.pk), str(second.pk)]
    second.refresh_from_db(), first.refresh_from_db()
    assert not second.is_confirmed and second.confirmed_by is None and second.confirmed_at is None
    assert first.confirmed_label == 7  # not undone yet

    assert post(admin_client, {"action": "undo"}).json()["drawing"] == str(first.pk)
    first.refresh_from_db()
    assert not first.is_confirmed
    nothing = post(admin_client, {"action": "undo"})
    assert nothing.status_code == 400 and nothing.json() == {"error": "nothing to undo"}


@pytest.mark.parametrize(
    "body, error",
    [
        ({"action": "label", "label": 12}, "label must be a digit 0-9"),
        ({"action": "label", "label": "7"}, "label must be a digit 0-9"),
        ({"action": "label", "label": True}, "label must be a digit 0-9"),
        ({"action": "erase"}, "action must be one of"),
        ({"action": "label", "label": 3, "drawing": "not-a-uuid"}, "no such drawing"),
        ({"action": "label", "label": 3, "drawing": "00000000-0000-0000-0000-000000000000"}, "no such drawing"),
        ([1, 2], "send a JSON object"),
    ],
)
def test_bad_input_is_a_400_with_a_message_and_changes_nothing(admin_client, drawings, body, error):
    if isinstance(body, dict) and "drawing" not in body and body.get("action") != "erase":
        body = {**body, "drawing": str(drawings[0].pk)}
    answer = post(admin_client, body)

    assert answer.status_code == 400 and error in answer.json()["error"]
    assert not Drawing.objects.filter(confirmed_label__isnull=False).exists()


def test_malformed_json_is_a_400(admin_client, drawings):
    answer = post(admin_client, None, raw="{not json")
    assert answer.status_code == 400 and answer.json() == {"error": "send a JSON object"}


def test_endpoint_takes_posts_only(admin_client):
    assert admin_client.get(reverse(ACTION)).status_code == 405


def test_staff_without_change_permission_are_refused(client, django_user_model, drawings):
    viewer = django_user_model.objects.create_user("viewer", password="pw-viewer-1", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_drawing"))
    client.force_login(viewer)

    assert client.get(reverse(PAGE)).status_code == 403
    answer = post(client, {"action": "label", "drawing": str(drawings[0].pk), "label": 7})
    assert answer.status_code == 403 and "error" in answer.json()
    assert Drawing.objects.get(pk=drawings[0].pk).confirmed_label is None


def test_anonymous_users_go_to_the_login_page(client, drawings):
    assert client.get(reverse(PAGE)).status_code == 302
    assert post(client, {"action": "skip", "drawing": str(drawings[0].pk)}).status_code == 302


# ---- the drawing list ------------------------------------------------------------------------------------


def test_set_label_action_confirms_through_the_service(admin_client, admin_user, drawings):
    chosen = drawings[:2]
    data = {"action": "set_label_5", "_selected_action": [str(d.pk) for d in chosen]}
    response = admin_client.post(reverse(CHANGELIST), data)

    assert response.status_code == 302
    for drawing in chosen:
        drawing.refresh_from_db()
        assert drawing.confirmed_label == 5 and drawing.confirmed_by == admin_user
    assert Drawing.objects.get(pk=drawings[2].pk).confirmed_label is None


def test_list_label_field_refuses_12_with_a_message_before_saving(admin_client, drawings):
    html = admin_client.get(reverse(CHANGELIST)).content.decode()
    assert 'name="form-0-confirmed_label"' in html and 'min="0"' in html and 'max="9"' in html

    data = {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": str(drawings[3].pk),
            "form-0-confirmed_label": "12", "_save": "Save"}
    response = admin_client.post(reverse(CHANGELIST), data)

    assert response.status_code == 200
    assert "less than or equal to 9" in response.content.decode()
    assert Drawing.objects.get(pk=drawings[3].pk).confirmed_label is None


def test_search_understands_a_bare_digit(admin_client, admin_user, drawings):
    one, two = drawings[0], drawings[1]
    drawing_confirm_label(drawing=two, label=one.predicted_digit, user=admin_user)

    def found(term):
        return {d.pk for d in admin_client.get(reverse(CHANGELIST), {"q": term}).context["cl"].result_list}

    digit = one.predicted_digit
    predicted = {d.pk for d in drawings if d.predicted_digit == digit}
    assert found(str(digit)) == predicted | {two.pk}
    assert found(f"predicted:{digit}") == predicted
    assert found(f"label:{digit}") == {two.pk}
    assert found(str(one.pk)[:8]) == {one.pk}  # ids still work


# ---- the model version page --------------------------------------------------------------------------------


def test_model_version_page_shows_the_training_run_and_data_as_tables(admin_client):
    from recognizer.models import ModelVersion

    version = ModelVersion.objects.get(is_active=True)
    report = version.report
    html = admin_client.get(reverse("admin:recognizer_modelversion_change", args=[version.pk])).content.decode()

    assert f"<tr><th>parameters</th><td>{report.parameters:,}</td></tr>" in html
    assert f"<tr><th>epochs run</th><td>{report.training['epochs_run']}</td></tr>" in html
    name, source = next(iter(report.data.items()))
    assert f"<td>{name.replace('_', ' ')}</td><td>{source['count']:,}</td>" in html
    assert source["sha256"][:12] in html
