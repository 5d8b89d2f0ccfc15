"""The drawing queries staff review and retraining rely on, with "not a digit" answers."""
import pytest

from recognizer.models import Drawing
from recognizer.selectors import disagreement_q, drawing_confirmed_q, not_a_digit_q
from recognizer.services import (
    drawing_confirm_label,
    drawing_confirm_not_a_digit,
    drawing_create,
    drawing_suggest_label,
    drawing_suggest_not_a_digit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(digit_image):
    """Three stored drawings of a 7 (the shipped model reads each as 7)."""
    drawings = [drawing_create(image=digit_image(7, nth=n), source="api") for n in range(3)]
    assert [d.predicted_digit for d in drawings] == [7, 7, 7]
    return drawings


def matching(condition) -> set:
    return set(Drawing.objects.filter(condition).values_list("pk", flat=True))


def test_confirmed_means_a_confirmed_label_or_not_a_digit(three, staff_user):
    labelled, refused, open_ = three
    drawing_confirm_label(drawing=labelled, label=7, user=staff_user)
    drawing_confirm_not_a_digit(drawing=refused, user=staff_user)
    drawing_suggest_not_a_digit(drawing=open_)

    assert matching(drawing_confirmed_q()) == {labelled.pk, refused.pk}
    assert matching(not_a_digit_q()) == {refused.pk, open_.pk}


def test_not_a_digit_against_a_digit_prediction_is_a_disagreement(three, staff_user):
    suggested, confirmed, agreeing = three
    drawing_suggest_not_a_digit(drawing=suggested)
    drawing_confirm_not_a_digit(drawing=confirmed, user=staff_user)
    drawing_suggest_label(drawing=agreeing, label=7)

    assert matching(disagreement_q()) == {suggested.pk, confirmed.pk}
    assert matching(disagreement_q(include_suggested=False)) == {confirmed.pk}


def test_agreeing_with_a_model_that_says_not_a_digit_is_no_disagreement(three, staff_user):
    agreeing, labelled, untouched = three
    Drawing.objects.filter(pk__in=[d.pk for d in three]).update(digit_score=0.2, is_digit=False)
    drawing_confirm_not_a_digit(drawing=agreeing, user=staff_user)
    # The predicted digit, but the model's answer was "not a digit".
    drawing_confirm_label(drawing=labelled, label=7, user=staff_user)

    assert matching(disagreement_q()) == {labelled.pk}
    assert untouched.pk not in matching(disagreement_q())
