"""Register the model shipped in ml/artifacts/ on first use, so a fresh database just works.

Runs when no version is active, and once per process otherwise: a deploy that ships a new model file
replaces the old shipped version if that one was active (its file is gone), but never displaces a
retrained version someone activated on purpose.
"""
import logging

from django.conf import settings
from django.db import IntegrityError, transaction

from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, read_metrics, sha256

from recognizer.exceptions import ModelUnavailable
from recognizer.models import ModelVersion

logger = logging.getLogger(__name__)
_synced = False


def needs_sync() -> bool:
    return not _synced


def model_version_sync_shipped() -> ModelVersion:
    global _synced
    try:
        version = _sync()
    except IntegrityError:  # another worker registered or activated it at the same moment
        version = _sync()
    _synced = True
    return version


def _sync() -> ModelVersion:
    from recognizer.services import model_version_activate  # services → selectors → here

    active = ModelVersion.objects.filter(is_active=True).first()
    path = SHIPPED_DIR / TFLITE_MODEL
    try:
        checksum, metrics = sha256(path), read_metrics(SHIPPED_DIR)
    except (OSError, ValueError) as err:
        logger.error("shipped model unreadable", extra={"path": str(path), "error": str(err)})
        if active is None:
            raise ModelUnavailable() from None
        return active
    artifact = str(path.relative_to(settings.BASE_DIR)) if path.is_relative_to(settings.BASE_DIR) else str(path)
    with transaction.atomic():
        shipped = ModelVersion.objects.filter(artifact=artifact, sha256=checksum).first()
        if shipped is None:
            shipped = ModelVersion.objects.create(
                name=_free_name(str(metrics.get("version") or "shipped"), checksum),
                artifact=artifact,
                sha256=checksum,
                metrics=metrics,
                notes="Shipped with the code in ml/artifacts/; registered automatically.",
            )
            logger.info("shipped model registered", extra={"model_version": shipped.name})
        stale = active is not None and active.artifact == artifact and active.sha256 != checksum
        if active is None or stale:
            return model_version_activate(version=shipped)
    return active


def _free_name(name: str, checksum: str) -> str:
    """The metrics' version name, unless a different file already holds it."""
    if ModelVersion.objects.filter(name=name).exists():
        return f"{name}-{checksum[:8]}"
    return name
