"""Reads. Lists and lookups defer the image blobs: only the image endpoints load them."""
import uuid
from datetime import datetime

from django.db.models import Count, F, Q, QuerySet

from recognizer import shipped
from recognizer.models import Drawing, ModelVersion

BLOBS = ("image", "input_png")


def model_version_get_active() -> ModelVersion:
    """One indexed query per call (partial unique index on is_active), so a switch is seen at once."""
    active = ModelVersion.objects.filter(is_active=True).first()
    if active is None or shipped.needs_sync():
        active = shipped.model_version_sync_shipped()
    return active


def drawing_get(*, drawing_id: str | uuid.UUID) -> Drawing | None:
    pk = _uuid(drawing_id)
    if pk is None:
        return None
    return Drawing.objects.defer(*BLOBS).select_related("model_version").filter(pk=pk).first()


def drawing_image(*, drawing_id: str | uuid.UUID) -> tuple[bytes, str] | None:
    """The original upload and its media type."""
    pk = _uuid(drawing_id)
    row = Drawing.objects.filter(pk=pk).values_list("image", "content_type").first() if pk else None
    return (bytes(row[0]), row[1]) if row else None  # PostgreSQL returns memoryview


def drawing_input_png(*, drawing_id: str | uuid.UUID) -> bytes | None:
    pk = _uuid(drawing_id)
    data = Drawing.objects.filter(pk=pk).values_list("input_png", flat=True).first() if pk else None
    return bytes(data) if data is not None else None


def disagreement_q() -> Q:
    """A label (confirmed or suggested) that differs from the prediction."""
    confirmed = Q(confirmed_label__isnull=False) & ~Q(confirmed_label=F("predicted_digit"))
    suggested = Q(suggested_label__isnull=False) & ~Q(suggested_label=F("predicted_digit"))
    return confirmed | suggested


def drawing_list(
    *,
    digit: int | None = None,
    confirmed: bool | None = None,
    disagreement: bool | None = None,
    max_confidence: float | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[Drawing]:
    drawings = Drawing.objects.defer(*BLOBS).select_related("model_version")
    if digit is not None:
        drawings = drawings.filter(predicted_digit=digit)
    if confirmed is not None:
        drawings = drawings.filter(confirmed_label__isnull=not confirmed)
    if disagreement is not None:
        drawings = drawings.filter(disagreement_q()) if disagreement else drawings.exclude(disagreement_q())
    if max_confidence is not None:
        drawings = drawings.filter(confidence__lte=max_confidence)
    if created_after is not None:
        drawings = drawings.filter(created__gte=created_after)
    if created_before is not None:
        drawings = drawings.filter(created__lt=created_before)
    return drawings


def _uuid(value: str | uuid.UUID) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def model_version_list() -> QuerySet[ModelVersion]:
    """Newest first, with how many confirmed drawings each was trained on."""
    versions = ModelVersion.objects.select_related("parent").annotate(training_drawing_count=Count("training_drawings"))
    return versions.order_by("-created")
