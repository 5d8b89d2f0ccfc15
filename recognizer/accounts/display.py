"""How the account pages show a drawing or a number: its answer, confidence and picture, as text.
Percentages follow the site's one rule (recognizer/percent.py)."""
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from recognizer.accounts.selectors import DRAWING, NUMBER, Entry
from recognizer.percent import format_percent


@dataclass(frozen=True)
class Row:
    kind: str  # "drawing" or "number"
    kind_label: str
    answer: str  # what the model read
    confidence: str
    created: datetime
    image_url: str
    image_alt: str
    delete_url: str


def row(entry: Entry) -> Row:
    if entry.kind == DRAWING:
        return _drawing_row(entry.answer)
    return _number_row(entry.answer)


def _drawing_row(drawing) -> Row:
    if drawing.is_digit is False:
        answer = _("not a digit (closest: %(digit)s)") % {"digit": drawing.predicted_digit}
    else:
        answer = str(drawing.predicted_digit)
    return Row(
        kind=DRAWING,
        kind_label=_("Digit"),
        answer=answer,
        confidence=format_percent(drawing.confidence),
        created=drawing.created,
        image_url=reverse("recognizer:prediction-image", args=[drawing.pk]),
        image_alt=_("Your drawing, read as %(answer)s") % {"answer": answer},
        delete_url=reverse("accounts:drawing-delete", args=[drawing.pk]),
    )


def _number_row(number) -> Row:
    answer = number.number or _("no digit read")
    return Row(
        kind=NUMBER,
        kind_label=_("Number"),
        answer=answer,
        confidence=format_percent(number.confidence),
        created=number.created,
        image_url=reverse("recognizer:number-image", args=[number.pk]),
        image_alt=_("Your number, read as %(answer)s") % {"answer": answer},
        delete_url=reverse("accounts:number-delete", args=[number.pk]),
    )
