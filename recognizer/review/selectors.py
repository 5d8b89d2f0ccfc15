"""Which unconfirmed drawings the review queue shows, and in what order. Read-only.

"How unsure" is the lower of the model's confidence in its digit and its digit score (how surely the
drawing is a digit at all; models without that output count as sure, 1). A drawing whose user said
something else than the model ("disagreement") is the likeliest to teach retraining something.
"""
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce, Least
from django.utils.translation import gettext_lazy as _

from recognizer.models import Drawing
from recognizer.selectors import BLOBS, VERSION_FILES, drawing_confirmed_q, suggestion_disagreement_q

UNSURE, DISAGREEMENT, NEWEST = "unsure", "disagreement", "newest"
ORDERS = {
    UNSURE: _("most unsure first"),
    DISAGREEMENT: _("user disagrees with the model first"),
    NEWEST: _("newest first"),
}
DEFAULT_SIZE, MAX_SIZE = 50, 500


def review_queue(*, order: str = UNSURE, size: int = DEFAULT_SIZE) -> list[Drawing]:
    """The next `size` unconfirmed drawings in `order` (one of ORDERS); ties go to the newest."""
    if order not in ORDERS:
        raise ValueError(f"unknown order {order!r}")
    drawings = _unconfirmed().annotate(
        unsure=Least(F("confidence"), Coalesce(F("digit_score"), Value(1.0))),
        disagrees=Case(When(suggestion_disagreement_q(), then=Value(0)), default=Value(1), output_field=IntegerField()),
    )
    ordering = {
        UNSURE: ["unsure", "-created", "pk"],
        DISAGREEMENT: ["disagrees", "unsure", "-created", "pk"],
        NEWEST: ["-created", "pk"],
    }[order]
    return list(drawings.order_by(*ordering)[:size])


def _unconfirmed() -> QuerySet[Drawing]:
    return (Drawing.objects.exclude(drawing_confirmed_q()).defer(*BLOBS, *VERSION_FILES)
            .select_related("model_version"))


def top_guesses(drawing: Drawing, count: int = 3) -> list[tuple[int, float]]:
    """The model's `count` likeliest digits with their probabilities, likeliest first."""
    ranked = sorted(enumerate(drawing.probabilities), key=lambda pair: -pair[1])
    return [(digit, float(p)) for digit, p in ranked[:count]]
