"""Reads for a signed-in user's own pages: their drawings and numbers, newest first, and their API token.

Only rows the user owns: a staff member's "My drawings" lists their own, not everyone's (the admin lists
those). Digits of a number are listed as their number, never one by one.
"""
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db.models import CharField, QuerySet, Value
from rest_framework.authtoken.models import Token

from recognizer.models import Drawing, Number
from recognizer.selectors import BLOBS, VERSION_FILES

DRAWING, NUMBER = "drawing", "number"


@dataclass(frozen=True)
class Entry:
    """One row of "My drawings": a single drawing or a whole number."""

    kind: str  # DRAWING or NUMBER
    answer: Drawing | Number

    @property
    def pk(self) -> uuid.UUID:
        return self.answer.pk

    @property
    def created(self) -> datetime:
        return self.answer.created


def own_answers(*, user) -> QuerySet:
    """(id, created, kind) of every drawing and number `user` owns, newest first: one query that a
    paginator counts and slices, so a page loads only its own rows (`own_entries`)."""
    drawings = _tagged(own_drawings(user=user), DRAWING)
    numbers = _tagged(Number.objects.filter(owner=user), NUMBER)
    return drawings.union(numbers, all=True).order_by("-created", "-id")


def own_entries(rows) -> list[Entry]:
    """The drawings and numbers of a page of `own_answers` rows, in the page's order, without image blobs."""
    ids = {DRAWING: [], NUMBER: []}
    for pk, _created, kind in rows:
        ids[kind].append(pk)
    found = {
        DRAWING: _drawing_rows().in_bulk(ids[DRAWING]),
        NUMBER: _number_rows().in_bulk(ids[NUMBER]),
    }
    return [Entry(kind, found[kind][pk]) for pk, _created, kind in rows if pk in found[kind]]


def own_drawings(*, user) -> QuerySet[Drawing]:
    """Single drawings `user` owns (digits of numbers go with their number)."""
    return Drawing.objects.filter(owner=user, number__isnull=True)


def own_drawing_get(*, user, drawing_id: uuid.UUID) -> Drawing | None:
    """One of `user`'s own single drawings, or None (another's, a digit of a number, or no such id)."""
    return _drawing_rows().filter(owner=user, number__isnull=True, pk=drawing_id).first()


def own_number_get(*, user, number_id: uuid.UUID) -> Number | None:
    """One of `user`'s own numbers, or None."""
    return _number_rows().filter(owner=user, pk=number_id).first()


def api_token_get(*, user) -> Token | None:
    """`user`'s API token, if they made one (its key is shown only when made: accounts/views.py)."""
    return Token.objects.filter(user=user).first()


def _drawing_rows() -> QuerySet[Drawing]:
    return Drawing.objects.select_related("model_version").defer(*BLOBS, *VERSION_FILES)


def _number_rows() -> QuerySet[Number]:
    return Number.objects.select_related("model_version").defer("image", *VERSION_FILES)


def _tagged(rows: QuerySet, kind: str) -> QuerySet:
    """Unordered: SQLite refuses ORDER BY inside a UNION (the models' default ordering would add one)."""
    return rows.order_by().annotate(kind=Value(kind, output_field=CharField())).values_list("id", "created", "kind")
