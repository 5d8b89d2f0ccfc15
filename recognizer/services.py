"""Writes. The API, the seed endpoints and the admin all change data through these functions."""
import logging
import time
from collections.abc import Sequence

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ml.predictor import Prediction
from ml.preprocess import DrawingError, input_to_png, preprocess

from recognizer.images import media_type_of
from recognizer.models import Drawing, ModelVersion
from recognizer.predictors import predictor_for
from recognizer.selectors import model_version_get_active

logger = logging.getLogger(__name__)


def drawing_create(*, image: bytes, source: str, content_type: str = "") -> Drawing:
    """Preprocess, predict with the active model and store, or raise DrawingError storing nothing.

    `content_type` is only what the client claimed; the stored type comes from the decoded bytes.
    """
    started = time.perf_counter()
    x = preprocess(image, max_pixels=settings.DIGITS_MAX_PIXELS)
    version = model_version_get_active()
    prediction = predictor_for(version).predict(x)
    drawing = _drawing(image, x, prediction, version, source)
    with transaction.atomic():
        drawing.save(force_insert=True)
    _log_prediction(drawing, started, claimed_type=content_type)
    return drawing


def drawing_create_batch(
    *, images: Sequence[bytes | DrawingError], source: str = Drawing.Source.BATCH
) -> list[Drawing | DrawingError]:
    """One result per item, in order. Items that are (or turn out to be) bad stay DrawingErrors;
    the good ones are predicted in one model call and stored together in one transaction."""
    started = time.perf_counter()
    results: list = [_preprocess_or_error(item) for item in images]
    good = [i for i, result in enumerate(results) if not isinstance(result, DrawingError)]
    if not good:
        return results
    version = model_version_get_active()
    predictions = predictor_for(version).predict_batch(np.stack([results[i] for i in good]))
    for i, prediction in zip(good, predictions):
        results[i] = _drawing(images[i], results[i], prediction, version, source)
    with transaction.atomic():
        Drawing.objects.bulk_create([results[i] for i in good])
    for i in good:
        _log_prediction(results[i], started)
    return results


def drawing_suggest_label(*, drawing: Drawing, label: int) -> Drawing:
    """A user's claim of what they drew; the latest one wins (a label replaces "not a digit").

    Not used for training until confirmed.
    """
    drawing.suggested_label = _digit(label)
    drawing.suggested_not_a_digit = False
    drawing.save(update_fields=["suggested_label", "suggested_not_a_digit"])
    return drawing


def drawing_suggest_not_a_digit(*, drawing: Drawing) -> Drawing:
    """A user's claim that the drawing is no digit at all; replaces any suggested label."""
    drawing.suggested_label = None
    drawing.suggested_not_a_digit = True
    drawing.save(update_fields=["suggested_label", "suggested_not_a_digit"])
    return drawing


def drawing_confirm_label(*, drawing: Drawing, label: int | None, user) -> Drawing:
    """Staff set the label that training uses, recording who and when; a label replaces "not a digit".

    With None, the confirmation is cleared altogether: no label, not "not a digit", nobody, never.
    """
    drawing.confirmed_label = None if label is None else _digit(label)
    _record_confirmation(drawing, user=None if label is None else user, not_a_digit=False)
    logger.info("label confirmed", extra={"drawing_id": str(drawing.pk), "label": label, "user_id": user.pk})
    return drawing


def drawing_confirm_not_a_digit(*, drawing: Drawing, user) -> Drawing:
    """Staff confirm the drawing is not a digit (training learns to refuse it), recording who and when."""
    drawing.confirmed_label = None
    _record_confirmation(drawing, user=user, not_a_digit=True)
    logger.info("confirmed not a digit", extra={"drawing_id": str(drawing.pk), "user_id": user.pk})
    return drawing


def _record_confirmation(drawing: Drawing, *, user, not_a_digit: bool) -> None:
    """Saves the confirmation fields together; a None user means the confirmation was cleared."""
    drawing.confirmed_not_a_digit = not_a_digit
    drawing.confirmed_by = user
    drawing.confirmed_at = None if user is None else timezone.now()
    drawing.save(update_fields=["confirmed_label", "confirmed_not_a_digit", "confirmed_by", "confirmed_at"])


@transaction.atomic
def model_version_activate(*, version: ModelVersion) -> ModelVersion:
    """Every process checks the active version per request, so this takes effect without restarts.

    Raises ModelUnavailable, changing nothing, if the version's file is missing, changed or unloadable.
    """
    predictor_for(version)
    ModelVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
    logger.info("model version activated", extra={"model_version": version.name})
    return version


def _preprocess_or_error(image: bytes | DrawingError) -> np.ndarray | DrawingError:
    try:
        if isinstance(image, DrawingError):
            raise image
        return preprocess(image, max_pixels=settings.DIGITS_MAX_PIXELS)
    except DrawingError as err:
        logger.info("batch image rejected", extra={"reason": str(err)})
        return err


def _drawing(image: bytes, x: np.ndarray, prediction: Prediction, version: ModelVersion, source: str) -> Drawing:
    # getattr: the not-a-digit fields are new in Prediction, and None for versions without that output.
    digit_score = getattr(prediction, "digit_score", None)
    is_digit = getattr(prediction, "is_digit", None)
    return Drawing(
        image=image,
        content_type=media_type_of(image),
        input_png=input_to_png(x),
        predicted_digit=prediction.digit,
        confidence=_probability(prediction.confidence),
        probabilities=list(prediction.probabilities),
        digit_score=None if digit_score is None else _probability(digit_score),
        is_digit=None if is_digit is None else bool(is_digit),
        model_version=version,
        source=source,
    )


def _probability(value: float) -> float:
    """Clamped into 0..1: float32 rounding may overshoot 1, and the database refuses that."""
    return min(max(float(value), 0.0), 1.0)


def _digit(label: int) -> int:
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise ValueError(f"a label is a digit 0-9, not {label!r}")
    return label


def _log_prediction(drawing: Drawing, started: float, *, claimed_type: str = "") -> None:
    extra = {
        "drawing_id": str(drawing.pk),
        "digit": drawing.predicted_digit,
        "confidence": round(drawing.confidence, 4),
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "model_version": drawing.model_version.name,
        "source": drawing.source,
    }
    if claimed_type and claimed_type != drawing.content_type:
        extra["claimed_type"] = claimed_type
    logger.info("prediction", extra=extra)
