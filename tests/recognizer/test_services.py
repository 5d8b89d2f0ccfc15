"""The write paths, called directly as the admin and management commands call them."""
import shutil

import pytest
from django.db import IntegrityError, transaction

from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, sha256
from ml.preprocess import DrawingError
from recognizer.models import Drawing, ModelVersion
from recognizer.predictors import predictor_for
from recognizer.selectors import model_version_get_active
from recognizer.services import (
    drawing_confirm_label,
    drawing_create,
    drawing_create_batch,
    drawing_suggest_label,
    model_version_activate,
)

pytestmark = pytest.mark.django_db


def test_a_newly_activated_version_is_served_without_restart(digit_image, tmp_path):
    shipped = model_version_get_active()
    copy = tmp_path / "model.tflite"
    shutil.copy(SHIPPED_DIR / TFLITE_MODEL, copy)
    retrained = ModelVersion.objects.create(name="retrained", artifact=str(copy), sha256=sha256(copy))
    assert drawing_create(image=digit_image(4), source="api").model_version == shipped

    model_version_activate(version=retrained)

    drawing = drawing_create(image=digit_image(4), source="api")
    assert drawing.model_version == retrained
    assert predictor_for(retrained).model_path == copy
    assert list(ModelVersion.objects.filter(is_active=True)) == [retrained]


def test_a_model_file_changed_after_registration_is_not_served(tmp_path, digit_image):
    from recognizer.exceptions import ModelUnavailable

    copy = tmp_path / "model.tflite"
    shutil.copy(SHIPPED_DIR / TFLITE_MODEL, copy)
    version = ModelVersion.objects.create(name="tampered", artifact=str(copy), sha256="f" * 64)

    with pytest.raises(ModelUnavailable):
        predictor_for(version)


def test_at_most_one_version_is_active():
    model_version_get_active()
    with pytest.raises(IntegrityError), transaction.atomic():
        ModelVersion.objects.create(name="second", artifact="x", sha256="0" * 64, is_active=True)


def test_create_stores_the_prediction_and_the_model_input(digit_image):
    drawing = drawing_create(image=digit_image(9), source="page")

    stored = Drawing.objects.get(pk=drawing.pk)
    assert stored.predicted_digit == 9 and stored.source == "page"
    assert bytes(stored.input_png).startswith(b"\x89PNG")
    assert len(stored.probabilities) == 10
    assert stored.confidence == max(stored.probabilities)


def test_blank_drawing_is_rejected_and_nothing_is_stored(blank_png):
    with pytest.raises(DrawingError, match="no digit found"):
        drawing_create(image=blank_png, source="api")
    assert not Drawing.objects.exists()


def test_batch_keeps_order_and_passes_known_errors_through(digit_image, blank_png):
    known = DrawingError("not valid base64")
    results = drawing_create_batch(images=[digit_image(1), known, blank_png, digit_image(7)])

    assert [type(r) for r in results] == [Drawing, DrawingError, DrawingError, Drawing]
    assert results[1] is known
    assert results[0].predicted_digit == 1 and results[3].predicted_digit == 7
    assert Drawing.objects.filter(source="batch").count() == 2


def test_batch_predictions_match_single_predictions(digit_image):
    images = [digit_image(d, nth=1) for d in range(10)]
    batch = drawing_create_batch(images=images)
    single = [drawing_create(image=image, source="api") for image in images]

    assert [d.predicted_digit for d in batch] == [d.predicted_digit for d in single]
    assert [d.confidence for d in batch] == pytest.approx([d.confidence for d in single], abs=1e-5)


def test_suggestion_does_not_become_the_training_label(drawing):
    drawing_suggest_label(drawing=drawing, label=5)

    drawing.refresh_from_db()
    assert drawing.suggested_label == 5 and drawing.training_label is None


def test_confirmation_records_who_and_when(drawing, staff_user):
    drawing_confirm_label(drawing=drawing, label=5, user=staff_user)

    drawing.refresh_from_db()
    assert drawing.training_label == 5 and drawing.confirmed_by == staff_user and drawing.confirmed_at


@pytest.mark.parametrize("label", [10, -1, True, "3", 2.0])
def test_labels_must_be_digits(drawing, staff_user, label):
    with pytest.raises(ValueError):
        drawing_suggest_label(drawing=drawing, label=label)
    with pytest.raises(ValueError):
        drawing_confirm_label(drawing=drawing, label=label, user=staff_user)
