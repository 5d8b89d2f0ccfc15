"""Database-level guarantees the ORM alone would not give."""
import pytest
from django.db import IntegrityError, transaction

from recognizer.models import Drawing

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("field, value", [("predicted_digit", 10), ("confirmed_label", 11), ("suggested_label", 12)])
def test_labels_outside_0_to_9_are_refused_by_the_database(drawing, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        Drawing.objects.filter(pk=drawing.pk).update(**{field: value})


def test_confidence_outside_0_to_1_is_refused_by_the_database(drawing):
    with pytest.raises(IntegrityError), transaction.atomic():
        Drawing.objects.filter(pk=drawing.pk).update(confidence=1.5)


def test_string_forms_name_the_drawing_and_the_version(drawing):
    assert str(drawing) == f"drawing {str(drawing.pk)[:8]}: predicted 3"
    assert str(drawing.model_version).endswith("(active)")


@pytest.mark.parametrize("score", [-0.01, 1.01])
def test_digit_score_outside_0_to_1_is_refused_by_the_database(drawing, score):
    with pytest.raises(IntegrityError), transaction.atomic():
        Drawing.objects.filter(pk=drawing.pk).update(digit_score=score)


def test_a_drawing_cannot_be_confirmed_as_a_label_and_as_not_a_digit(drawing):
    with pytest.raises(IntegrityError), transaction.atomic():
        Drawing.objects.filter(pk=drawing.pk).update(confirmed_label=3, confirmed_not_a_digit=True)


@pytest.mark.parametrize(
    "confirmed_label, confirmed_not_a_digit, is_confirmed, training_label",
    [(None, False, False, None), (4, False, True, 4), (None, True, True, None)],
)
def test_confirmed_means_a_label_or_not_a_digit(
    drawing, confirmed_label, confirmed_not_a_digit, is_confirmed, training_label
):
    confirmation = {"confirmed_label": confirmed_label, "confirmed_not_a_digit": confirmed_not_a_digit}
    Drawing.objects.filter(pk=drawing.pk).update(**confirmation)
    drawing.refresh_from_db()

    assert drawing.is_confirmed is is_confirmed and drawing.training_label == training_label
