"""Writes. The API, the seed endpoints and the admin all change data through these functions."""
import logging
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ml import artifacts
from ml.artifacts import move_into_place
from ml.predictor import Prediction
from ml.preprocess import DrawingError, input_to_png, preprocess
from ml.report import Report

from recognizer import metrics, model_files
from recognizer.delete_tokens import new_token
from recognizer.images import media_type_of
from recognizer.models import Drawing, ModelVersion
from recognizer.predictors import predictor_for
from recognizer.selectors import model_version_get_serving

logger = logging.getLogger(__name__)


class DigitOfANumber(ValueError):
    """A drawing that is one digit of a Number goes with its number, never alone (its position would
    leave a gap in the number's digits, and the number's reading would no longer match them)."""


def drawing_preview(*, image: bytes) -> Drawing:
    """The answer `drawing_create` would give (same limits, same active model), written nowhere: no
    row, no delete token, no prediction metric (those count stored rows). An unsaved Drawing, for the
    page's live answers while someone is still drawing, so half-drawn digits never reach the table."""
    started = time.perf_counter()
    drawing = _predict(image, source="")
    logger.info(
        "preview",
        extra={
            "digit": drawing.predicted_digit,
            "confidence": round(drawing.confidence, 4),
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "model_version": drawing.model_version.name,
        },
    )
    return drawing


def drawing_create(*, image: bytes, source: str, content_type: str = "", owner=None) -> Drawing:
    """Preprocess, predict with the active model and store, or raise DrawingError storing nothing.

    `content_type` is only what the client claimed; the stored type comes from the decoded bytes.
    The returned drawing carries `delete_token`, to show once: the row keeps only its hash. `owner`, the
    signed-in user who sent it (None: anonymous), makes it visible to them and staff only (selectors.visible_to_q).
    """
    started = time.perf_counter()
    drawing = _with_delete_token(_predict(image, source=source))
    drawing.owner = owner
    with transaction.atomic():
        drawing.save(force_insert=True)
    metrics.record_predictions([drawing])
    _log_prediction(drawing, started, claimed_type=content_type)
    return drawing


def drawing_create_batch(
    *, images: Sequence[bytes | DrawingError], source: str = Drawing.Source.BATCH, owner=None
) -> list[Drawing | DrawingError]:
    """One result per item, in order. Items that are (or turn out to be) bad stay DrawingErrors;
    the good ones are predicted in one model call and stored together in one transaction, each owned
    by `owner` as in `drawing_create`."""
    started = time.perf_counter()
    results: list = [_preprocess_or_error(item) for item in images]
    good = [i for i, result in enumerate(results) if not isinstance(result, DrawingError)]
    if not good:
        return results
    version = model_version_get_serving()
    predictions = predictor_for(version).predict_batch(np.stack([results[i] for i in good]))
    for i, prediction in zip(good, predictions):
        results[i] = _with_delete_token(drawing_build(images[i], results[i], prediction, version, source))
        results[i].owner = owner
    with transaction.atomic():
        Drawing.objects.bulk_create([results[i] for i in good])
    metrics.record_predictions(results[i] for i in good)
    for i in good:
        _log_prediction(results[i], started)
    return results


def drawing_delete(*, drawing: Drawing) -> None:
    """Removes the drawing; the caller has checked who may (its delete token, its owner, or staff).

    Rows of model versions trained on it go too (`ModelVersion.training_drawings`): the version keeps
    its files and figures, but no longer lists this drawing. A digit of a number raises DigitOfANumber.
    """
    if drawing.number_id is not None:
        raise DigitOfANumber(
            f"this drawing is digit {drawing.position + 1} of number {drawing.number_id}: "
            "delete the number instead (in the admin), which deletes its digits with it"
        )
    drawing_id = drawing.pk
    with transaction.atomic():
        drawing.delete()
    logger.info("drawing deleted", extra={"drawing_id": str(drawing_id)})


def drawing_suggest_label(*, drawing: Drawing, label: int) -> Drawing:
    """A user's claim of what they drew; the latest one wins (a label replaces "not a digit").

    Not used for training until confirmed.
    """
    drawing.suggested_label = _digit(label)
    drawing.suggested_not_a_digit = False
    drawing.save(update_fields=["suggested_label", "suggested_not_a_digit"])
    metrics.record_feedback(drawing)
    return drawing


def drawing_suggest_not_a_digit(*, drawing: Drawing) -> Drawing:
    """A user's claim that the drawing is no digit at all; replaces any suggested label."""
    drawing.suggested_label = None
    drawing.suggested_not_a_digit = True
    drawing.save(update_fields=["suggested_label", "suggested_not_a_digit"])
    metrics.record_feedback(drawing)
    return drawing


def drawing_confirm_label(*, drawing: Drawing, label: int | None, user) -> Drawing:
    """Staff set the label that training uses, recording who and when; a label replaces "not a digit".

    With None, the confirmation is cleared altogether: no label, not "not a digit", nobody, never.
    """
    drawing.confirmed_label = None if label is None else _digit(label)
    _record_confirmation(drawing, user=None if label is None else user, not_a_digit=False)
    metrics.record_confirmation(drawing)
    logger.info("label confirmed", extra={"drawing_id": str(drawing.pk), "label": label, "user_id": user.pk})
    return drawing


def drawing_confirm_not_a_digit(*, drawing: Drawing, user) -> Drawing:
    """Staff confirm the drawing is not a digit (training learns to refuse it), recording who and when."""
    drawing.confirmed_label = None
    _record_confirmation(drawing, user=user, not_a_digit=True)
    metrics.record_confirmation(drawing)
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
    """Serve `version` from every process's next request (each asks the database per request).

    Raises ModelUnavailable, changing nothing, if the version's file is missing, changed or unloadable.
    """
    predictor_for(version)
    ModelVersion.objects.select_for_update().filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True)
    version.is_active = True
    logger.info("model version activated", extra={"model_version": version.name})
    return version


def model_version_promote(*, version: ModelVersion, trained_from: ModelVersion | None) -> tuple[bool, str]:
    """Activate a candidate only if the version it was measured against is still the active one.

    Locks the active row first, so a rollback or activation made while the candidate trained is never
    undone by it. Returns (promoted, why).
    """
    with transaction.atomic():
        active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        if trained_from is not None and (active is None or active.pk != trained_from.pk):
            now = active.name if active else "no version"
            return False, (f"not promoted: the active version changed while {version.name} was trained "
                           f"(it was compared with {trained_from.name}; {now} is active now)")
        model_version_activate(version=version)
    return True, f"{version.name} is now active"


def model_version_register(
    *,
    work_dir: Path,
    metrics: dict,
    destination: Path | None = None,
    parent: ModelVersion | None = None,
    training_drawing_ids: Sequence[str] = (),
    replace: bool = False,
) -> ModelVersion:
    """The one way a model version is born (trained, retrained, imported or shipped).

    `work_dir` holds the finished files (model.tflite, model.keras, metrics.json, plots); it is renamed to
    `destination` (default MODEL_DIR/<version>) in one step, then the row is created holding the .tflite
    and .keras bytes (so every server on the database can use them; `recognizer.model_files`) and the
    SHA-256 of the very bytes stored. If anything fails, the files are removed and no row exists. The
    version is not active: see `model_version_activate` and `model_version_promote`.
    """
    report = Report.from_dict(metrics)
    destination = Path(destination or Path(settings.MODEL_DIR) / report.version)
    if ModelVersion.objects.filter(name=report.version).exists():
        raise ValueError(f"a model version named {report.version!r} already exists")
    if Path(work_dir).resolve() != destination.resolve():
        move_into_place(work_dir, destination, replace=replace)
    try:
        files = model_files.row_files(destination)
        with transaction.atomic():
            version = ModelVersion.objects.create(
                name=report.version,
                artifact=_artifact_path(destination / artifacts.TFLITE_MODEL),
                **files,
                metrics=report.to_dict(),
                parent=parent,
                notes=(report.retraining.get("promotion") or {}).get("reason", ""),
            )
            version.training_drawings.set(list(training_drawing_ids))
    except BaseException:
        if not destination.resolve().is_relative_to(artifacts.SHIPPED_DIR):
            shutil.rmtree(destination, ignore_errors=True)
        raise
    logger.info("model version registered", extra={"model_version": version.name, "kind": report.kind})
    return version


def model_version_register_shipped(*, activate_if_none: bool = True) -> ModelVersion:
    """Register the model shipped in ml/artifacts/ (idempotent: `manage.py register_shipped_model`, which
    `make run` and `make serve-prod` run after migrating).

    Activates it when no version is active, or when the active version is an older shipped file that a
    deploy replaced; never displaces a version someone activated on purpose. A shipped row registered
    before files were kept in the database gets them stored now.
    """
    path = artifacts.SHIPPED_DIR / artifacts.TFLITE_MODEL
    checksum, artifact = artifacts.sha256(path), _artifact_path(path)
    with transaction.atomic():
        shipped = ModelVersion.objects.filter(artifact=artifact, sha256=checksum).first()
        if shipped is None:
            report = Report.from_dict(artifacts.read_metrics(artifacts.SHIPPED_DIR))
            if ModelVersion.objects.filter(name=report.version).exists():  # an older file of the same name
                report.version = f"{report.version}-{checksum[:8]}"
            shipped = model_version_register(
                work_dir=artifacts.SHIPPED_DIR, destination=artifacts.SHIPPED_DIR, metrics=report.to_dict()
            )
        else:
            model_files.store_missing(shipped)
        active = ModelVersion.objects.select_for_update().filter(is_active=True).first()
        replaced = active is not None and active.artifact == artifact and active.sha256 != checksum
        if activate_if_none and (active is None or replaced):
            return model_version_activate(version=shipped)
    return shipped


def _artifact_path(path: Path) -> str:
    """Paths inside the project are stored relative to it, so a moved checkout keeps working."""
    base = Path(settings.BASE_DIR)
    return str(path.relative_to(base)) if path.is_relative_to(base) else str(path)


def _preprocess_or_error(image: bytes | DrawingError) -> np.ndarray | DrawingError:
    try:
        if isinstance(image, DrawingError):
            raise image
        return preprocess(image, max_pixels=settings.DIGITS_MAX_PIXELS)
    except DrawingError as err:
        logger.info("batch image rejected", extra={"reason": str(err)})
        return err


def _predict(image: bytes, *, source: str) -> Drawing:
    """An unsaved Drawing with the active model's answer, or DrawingError / ModelUnavailable."""
    x = preprocess(image, max_pixels=settings.DIGITS_MAX_PIXELS)
    version = model_version_get_serving()
    return drawing_build(image, x, predictor_for(version).predict(x), version, source)


def _with_delete_token(drawing: Drawing) -> Drawing:
    drawing.delete_token, drawing.delete_token_hash = new_token()
    return drawing


def drawing_build(image: bytes, x: np.ndarray, prediction: Prediction, version: ModelVersion, source: str) -> Drawing:
    """An unsaved Drawing holding a prediction (shared with the digits of numbers, number_services)."""
    # getattr: the not-a-digit fields are new in Prediction, and None for versions without that output.
    digit_score = getattr(prediction, "digit_score", None)
    is_digit = getattr(prediction, "is_digit", None)
    return Drawing(
        image=image,
        content_type=media_type_of(image),
        input_png=input_to_png(x),
        predicted_digit=prediction.digit,
        confidence=probability(prediction.confidence),
        probabilities=list(prediction.probabilities),
        digit_score=None if digit_score is None else probability(digit_score),
        is_digit=None if is_digit is None else bool(is_digit),
        model_version=version,
        source=source,
    )


def probability(value: float) -> float:
    """Clamped into 0..1: float32 rounding may overshoot 1, and the database refuses that."""
    return min(max(float(value), 0.0), 1.0)


def _digit(label: int) -> int:
    if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
        raise ValueError(f"a label is a digit 0-9, not {label!r}")
    return label


def _log_prediction(drawing: Drawing, started: float, *, claimed_type: str = "") -> None:
    log_answer("prediction", drawing, started, claimed_type=claimed_type, drawing_id=str(drawing.pk),
               digit=drawing.predicted_digit)


def log_answer(message: str, answer, started: float, *, claimed_type: str = "", **fields) -> None:
    """One INFO line per stored answer (a Drawing or a Number): `fields`, then what every answer logs.
    `claimed_type` is logged only when the client's claimed media type was not what the bytes were."""
    extra = {
        **fields,
        "confidence": round(answer.confidence, 4),
        "latency_ms": round((time.perf_counter() - started) * 1000, 1),
        "model_version": answer.model_version.name,
        "source": answer.source,
    }
    if claimed_type and claimed_type != answer.content_type:
        extra["claimed_type"] = claimed_type
    logger.info(message, extra=extra)
