"""Reads. Lists and lookups defer the image blobs: only the image endpoints load them.

Lookups by id take the request's user as `viewer`: `visible_to_q` is who may see a drawing or number."""
import functools
import uuid
from datetime import datetime

from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet

from recognizer.exceptions import ModelUnavailable
from recognizer.models import FILE_FIELDS, Drawing, ModelVersion, Number

BLOBS = ("image", "input_png")  # a drawing's; a model version's FILE_FIELDS its manager never loads
# A joined model version's files (select_related bypasses its manager): a few MB on every row otherwise.
VERSION_FILES = tuple(f"model_version__{field}" for field in FILE_FIELDS)


# The request path's version: each request asks the database which row is active with one indexed query
# of the columns it serves with (raw SQL, ~0.01 ms on SQLite against ~0.2 ms through the ORM: measured with
# `python -m ml.bench --only stages`), so a promotion or rollback is seen by the next request of every
# process, and a read writes nothing. Only the ORM's work is kept per process: the converted row, reused
# while the database returns the very same raw row.
SERVING_FIELDS = ("id", "name", "artifact", "sha256", "created", "parent_id", "is_active")  # attnames
_serving: tuple | None = None  # (database alias, raw row, converted values); replaced whole, never changed


def model_version_get_active() -> ModelVersion | None:
    """One indexed query per call (partial unique index on is_active), so a switch is seen at once.
    None when no version is active yet (`manage.py register_shipped_model` registers the shipped one)."""
    return ModelVersion.objects.filter(is_active=True).first()


def model_version_get_serving() -> ModelVersion:
    """The active version for the request path, or ModelUnavailable (503) when there is none: a fresh
    instance on every call, SERVING_FIELDS loaded as the database has them now, the rest (its metrics
    report, notes, files) deferred: the loaded predictor already has what it needs."""
    global _serving
    raw = _active_row()
    if raw is None:
        raise ModelUnavailable()
    cached = _serving
    if cached is not None and cached[0] == connection.alias and cached[1] == raw:
        return ModelVersion.from_db(connection.alias, SERVING_FIELDS, cached[2])
    active = ModelVersion.objects.only(*SERVING_FIELDS).filter(is_active=True).first()
    if active is None:
        raise ModelUnavailable()
    if active.pk == raw[0]:  # the same row as the raw query's (not switched in between)
        _serving = (connection.alias, raw, tuple(getattr(active, name) for name in _serving_attnames()))
    return active


def _active_row() -> tuple | None:
    """SERVING_FIELDS of the active row as the database driver returns them (unconverted); None if none."""
    with connection.cursor() as cursor:
        cursor.execute(_active_row_sql(connection.vendor), [True])
        return cursor.fetchone()


@functools.cache
def _serving_attnames() -> tuple[str, ...]:
    """SERVING_FIELDS in the model's field order, the order `Model.from_db` reads values in."""
    return tuple(f.attname for f in ModelVersion._meta.concrete_fields if f.attname in SERVING_FIELDS)


@functools.cache
def _active_row_sql(vendor: str) -> str:
    quote, field = connection.ops.quote_name, ModelVersion._meta.get_field
    columns = ", ".join(quote(field(name).column) for name in SERVING_FIELDS if name != "is_active")
    return f"SELECT {columns} FROM {quote(ModelVersion._meta.db_table)} WHERE {quote(field('is_active').column)} = %s"


def visible_to_q(viewer) -> Q:
    """The one access rule for stored drawings and numbers (docs/accounts.md): a row with an owner is
    visible to that owner and to staff only; an anonymous row (no owner) to whoever holds its id. Every
    lookup by id from a request passes the request's user as `viewer`, so anyone else gets "no such id"
    (404), never a hint that the row exists."""
    if viewer.is_authenticated and viewer.is_active and viewer.is_staff:
        return Q()
    if viewer.is_authenticated:
        return Q(owner__isnull=True) | Q(owner=viewer)
    return Q(owner__isnull=True)


def _visible(rows: QuerySet, viewer) -> QuerySet:
    """`viewer` None is an internal read (services, admin, commands): no access rule applies."""
    return rows if viewer is None else rows.filter(visible_to_q(viewer))


def drawing_get(*, drawing_id: str | uuid.UUID, viewer=None) -> Drawing | None:
    pk = _uuid(drawing_id)
    if pk is None:
        return None
    drawings = Drawing.objects.defer(*BLOBS, *VERSION_FILES).select_related("model_version")
    return _visible(drawings, viewer).filter(pk=pk).first()


def drawing_image(*, drawing_id: str | uuid.UUID, viewer=None) -> tuple[bytes, str] | None:
    """The original upload and its media type."""
    pk = _uuid(drawing_id)
    drawings = _visible(Drawing.objects.all(), viewer)
    row = drawings.filter(pk=pk).values_list("image", "content_type").first() if pk else None
    return (bytes(row[0]), row[1]) if row else None  # PostgreSQL returns memoryview


def drawing_input_png(*, drawing_id: str | uuid.UUID, viewer=None) -> bytes | None:
    pk = _uuid(drawing_id)
    drawings = _visible(Drawing.objects.all(), viewer)
    data = drawings.filter(pk=pk).values_list("input_png", flat=True).first() if pk else None
    return bytes(data) if data is not None else None


def drawing_confirmed_q() -> Q:
    """Drawings staff confirmed as a digit or as not a digit: the ones retraining learns from."""
    return Q(confirmed_label__isnull=False) | Q(confirmed_not_a_digit=True)


def not_a_digit_q() -> Q:
    """Drawings a person marked as not a digit: staff confirmed it or the user suggested it."""
    return Q(confirmed_not_a_digit=True) | Q(suggested_not_a_digit=True)


def disagreement_q(*, include_suggested: bool = True) -> Q:
    """A person's answer (the confirmed one, and by default the suggested one) differs from the model's.

    The model answers "not a digit" when `is_digit` is false, else its predicted digit (older rows
    and models without a not-a-digit output have `is_digit` null: they answered a digit).
    """
    confirmed = _disagrees("confirmed_label", "confirmed_not_a_digit")
    if not include_suggested:
        return confirmed
    return confirmed | suggestion_disagreement_q()


def suggestion_disagreement_q() -> Q:
    """The user's suggestion (a digit, or "not a digit") differs from the model's answer: a correction
    by the user, as `digits_feedback_total{agrees="false"}` counts it when the feedback comes in."""
    return _disagrees("suggested_label", "suggested_not_a_digit")


def _disagrees(label_field: str, not_a_digit_field: str) -> Q:
    model_refused = Q(is_digit=False)
    other_answer = Q(**{f"{label_field}__isnull": False}) & (~Q(**{label_field: F("predicted_digit")}) | model_refused)
    refused_digit = Q(**{not_a_digit_field: True}) & ~model_refused
    return other_answer | refused_digit


def drawing_list(
    *,
    digit: int | None = None,
    confirmed: bool | None = None,
    disagreement: bool | None = None,
    not_a_digit: bool | None = None,
    is_digit: bool | None = None,
    max_confidence: float | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[Drawing]:
    """`is_digit` matches the model's answer, so rows without a not-a-digit score match neither value."""
    drawings = Drawing.objects.select_related("model_version").defer(*BLOBS, *VERSION_FILES)
    if digit is not None:
        drawings = drawings.filter(predicted_digit=digit)
    if confirmed is not None:
        drawings = _filter(drawings, drawing_confirmed_q(), confirmed)
    if disagreement is not None:
        drawings = _filter(drawings, disagreement_q(), disagreement)
    if not_a_digit is not None:
        drawings = _filter(drawings, not_a_digit_q(), not_a_digit)
    if is_digit is not None:
        drawings = drawings.filter(is_digit=is_digit)
    if max_confidence is not None:
        drawings = drawings.filter(confidence__lte=max_confidence)
    if created_after is not None:
        drawings = drawings.filter(created__gte=created_after)
    if created_before is not None:
        drawings = drawings.filter(created__lt=created_before)
    return drawings


def number_get(*, number_id: str | uuid.UUID, viewer=None) -> Number | None:
    """The number with its digits left to right in `ordered_digits`, without the image blobs."""
    pk = _uuid(number_id)
    if pk is None:
        return None
    return _visible(_numbers(), viewer).filter(pk=pk).first()


def number_image(*, number_id: str | uuid.UUID, viewer=None) -> tuple[bytes, str] | None:
    """The original upload of a number and its media type."""
    pk = _uuid(number_id)
    numbers = _visible(Number.objects.all(), viewer)
    row = numbers.filter(pk=pk).values_list("image", "content_type").first() if pk else None
    return (bytes(row[0]), row[1]) if row else None


def number_list(
    *,
    confirmed: bool | None = None,
    disagreement: bool | None = None,
    count_differs: bool | None = None,
    empty: bool | None = None,
    model_version: str | None = None,
    max_confidence: float | None = None,
    created_after: datetime | None = None,
    created_before: datetime | None = None,
) -> QuerySet[Number]:
    """Numbers for review, newest first, each with its digits; filters as `drawing_list`'s."""
    numbers = _numbers()
    if confirmed is not None:
        numbers = _filter(numbers, ~Q(confirmed_number=""), confirmed)
    if disagreement is not None:
        numbers = _filter(numbers, number_disagreement_q(), disagreement)
    if count_differs is not None:
        numbers = numbers.filter(confirmed_count_differs=count_differs)
    if empty is not None:
        numbers = _filter(numbers, Q(number=""), empty)
    if model_version is not None:
        numbers = numbers.filter(model_version__name=model_version)
    if max_confidence is not None:
        numbers = numbers.filter(confidence__lte=max_confidence)
    if created_after is not None:
        numbers = numbers.filter(created__gte=created_after)
    if created_before is not None:
        numbers = numbers.filter(created__lt=created_before)
    return numbers


def number_disagreement_q() -> Q:
    """A person's number (confirmed or suggested) is not the string the model read."""
    said = lambda field: ~Q(**{field: ""}) & ~Q(**{field: F("number")})  # noqa: E731
    return said("confirmed_number") | said("suggested_number")


def _numbers() -> QuerySet[Number]:
    digits = Drawing.objects.defer(*BLOBS).order_by("position")
    return (
        Number.objects.select_related("model_version")
        .defer("image", *VERSION_FILES)
        .prefetch_related(Prefetch("digits", queryset=digits, to_attr="ordered_digits"))
    )


def _filter(drawings: QuerySet, condition: Q, wanted: bool) -> QuerySet:
    return drawings.filter(condition) if wanted else drawings.exclude(condition)


def _uuid(value: str | uuid.UUID) -> uuid.UUID | None:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        return None


def model_version_lineage_training_ids(version: ModelVersion) -> set[str]:
    """Ids of the drawings this version and every version it descends from were trained on."""
    trained: set[str] = set()
    seen: set[int] = set()
    while version is not None and version.pk not in seen:
        seen.add(version.pk)
        trained.update(str(pk) for pk in version.training_drawings.values_list("pk", flat=True))
        version = version.parent
    return trained


def model_version_list() -> QuerySet[ModelVersion]:
    """Newest first, with how many confirmed drawings each was trained on."""
    parents_files = (f"parent__{field}" for field in FILE_FIELDS)
    versions = ModelVersion.objects.select_related("parent").defer(*parents_files)
    versions = versions.annotate(training_drawing_count=Count("training_drawings"))
    return versions.order_by("-created")
