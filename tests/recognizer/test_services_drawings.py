"""The drawing services and "not a digit": what is stored, and how answers replace each other."""
import pytest

from recognizer.models import Drawing
from recognizer.services import (
    drawing_confirm_label,
    drawing_confirm_not_a_digit,
    drawing_create,
    drawing_create_batch,
    drawing_suggest_label,
    drawing_suggest_not_a_digit,
)
from tests.recognizer.digit_verdict import assert_digit_verdict

pytestmark = pytest.mark.django_db


def test_create_stores_the_models_digit_verdict(digit_image):
    drawing = drawing_create(image=digit_image(6), source="api")

    stored = assert_digit_verdict({"id": drawing.pk, "digit_score": drawing.digit_score, "is_digit": drawing.is_digit})
    assert stored.suggested_not_a_digit is False and stored.confirmed_not_a_digit is False


def test_batch_stores_the_models_digit_verdict(digit_image):
    drawings = drawing_create_batch(images=[digit_image(0), digit_image(9)])

    for drawing in drawings:
        assert_digit_verdict({"id": drawing.pk, "digit_score": drawing.digit_score, "is_digit": drawing.is_digit})


def test_suggesting_not_a_digit_replaces_a_suggested_label_and_back(drawing):
    drawing_suggest_label(drawing=drawing, label=5)
    drawing_suggest_not_a_digit(drawing=drawing)
    drawing.refresh_from_db()
    assert drawing.suggested_not_a_digit and drawing.suggested_label is None

    drawing_suggest_label(drawing=drawing, label=6)
    drawing.refresh_from_db()
    assert drawing.suggested_label == 6 and not drawing.suggested_not_a_digit


def test_a_suggestion_is_not_a_confirmation(drawing):
    drawing_suggest_not_a_digit(drawing=drawing)

    drawing.refresh_from_db()
    assert not drawing.is_confirmed and not drawing.confirmed_not_a_digit


def test_confirming_not_a_digit_records_who_and_when_and_drops_the_label(drawing, staff_user):
    drawing_confirm_label(drawing=drawing, label=3, user=staff_user)
    drawing_confirm_not_a_digit(drawing=drawing, user=staff_user)

    drawing.refresh_from_db()
    assert drawing.confirmed_not_a_digit and drawing.confirmed_label is None and drawing.training_label is None
    assert drawing.is_confirmed and drawing.confirmed_by == staff_user and drawing.confirmed_at


def test_confirming_a_label_drops_not_a_digit(drawing, staff_user):
    drawing_confirm_not_a_digit(drawing=drawing, user=staff_user)
    drawing_confirm_label(drawing=drawing, label=8, user=staff_user)

    drawing.refresh_from_db()
    assert drawing.training_label == 8 and not drawing.confirmed_not_a_digit and drawing.is_confirmed


def test_confirming_none_clears_a_not_a_digit_confirmation(drawing, staff_user):
    drawing_confirm_not_a_digit(drawing=drawing, user=staff_user)
    drawing_confirm_label(drawing=drawing, label=None, user=staff_user)

    drawing.refresh_from_db()
    assert not drawing.is_confirmed and drawing.confirmed_by is None and drawing.confirmed_at is None


def test_suggestions_and_confirmations_are_independent(drawing, staff_user):
    drawing_suggest_not_a_digit(drawing=drawing)
    drawing_confirm_label(drawing=drawing, label=3, user=staff_user)

    stored = Drawing.objects.get(pk=drawing.pk)
    assert stored.suggested_not_a_digit and stored.confirmed_label == 3
