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
    """A user's claim of what they drew; the latest one wins. Not used for training until confirmed."""
    drawing.suggested_label = _digit(label)
    drawing.save(update_fields=["suggested_label"])
    return drawing


def drawing_confirm_label(*, drawing: Drawing, label: int | None, user) -> Drawing:
    """Staff set (or, with None, clear) the label that training uses, recording who and when."""
    drawing.confirmed_label = None if label is None else _digit(label)
    drawing.confirmed_by = None if label is None else user
    drawing.confirmed_at = None if label is None else timezone.now()
    drawing.save(update_fields=["confirmed_label", "confirmed_by", "confirmed_at"])
    logger.info("label confirmed", extra={"drawing_id": str(drawing.pk), "label": label, "user_id": user.pk})
    return drawing


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
    return Drawing(
        image=image,
        content_type=media_type_of(image),
        input_png=input_to_png(x),
        predicted_digit=prediction.digit,
        confidence=min(max(prediction.confidence, 0.0), 1.0),  # float32 rounding may overshoot 1
        probabilities=list(prediction.probabilities),
        model_version=version,
        source=source,
    )


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
