"""How the account pages show a drawing or a number: its answer, confidence and picture, as text.
Percentages follow the site's one rule (recognizer/percent.py)."""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.urls import reverse
from django.utils.translation import gettext as _, gettext_noop

from recognizer.accounts.selectors import DRAWING, NUMBER, Entry
from recognizer.models import Drawing, Number
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


@dataclass(frozen=True)
class KindDisplay:
    """What differs between showing a drawing and a number. The texts are msgids (`gettext_noop` marks
    them for makemessages): `row` translates them when it runs, in the request's language."""

    label: str
    answer: Callable[[Drawing | Number], str]
    image_url_name: str
    image_alt: str  # with %(answer)s
    delete_url_name: str


def row(entry: Entry) -> Row:
    shown = KIND_DISPLAY[entry.kind]
    answer = shown.answer(entry.answer)
    return Row(
        kind=entry.kind,
        kind_label=_(shown.label),
        answer=answer,
        confidence=format_percent(entry.answer.confidence),
        created=entry.created,
        image_url=reverse(shown.image_url_name, args=[entry.pk]),
        image_alt=_(shown.image_alt) % {"answer": answer},
        delete_url=reverse(shown.delete_url_name, args=[entry.pk]),
    )


def _drawing_answer(drawing: Drawing) -> str:
    """The digit read; one the model judged not a digit at all says so, with the nearest digit."""
    if drawing.is_digit is False:
        return _("not a digit (closest: %(digit)s)") % {"digit": drawing.predicted_digit}
    return str(drawing.predicted_digit)


def _number_answer(number: Number) -> str:
    return number.number or _("no digit read")


KIND_DISPLAY = {
    DRAWING: KindDisplay(
        label=gettext_noop("Digit"),
        answer=_drawing_answer,
        image_url_name="recognizer:prediction-image",
        image_alt=gettext_noop("Your drawing, read as %(answer)s"),
        delete_url_name="accounts:drawing-delete",
    ),
    NUMBER: KindDisplay(
        label=gettext_noop("Number"),
        answer=_number_answer,
        image_url_name="recognizer:number-image",
        image_alt=gettext_noop("Your number, read as %(answer)s"),
        delete_url_name="accounts:number-delete",
    ),
}
