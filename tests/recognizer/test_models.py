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
