"""What a key press in the review queue does: confirm a label, confirm "not a digit", skip, or undo.

Writes go through recognizer.services only. Each reviewer's own last actions are kept in their session
(a stack of what each drawing was before), so U undoes exactly what this reviewer did, in reverse, and
puts the drawing back the way it was (an unconfirmed drawing is unconfirmed again).
"""
from dataclasses import dataclass

from django.utils.translation import gettext

from recognizer import services
from recognizer.models import Drawing
from recognizer.selectors import drawing_get

SESSION_KEY = "review_queue_undo"
MAX_UNDO = 200
ACTIONS = ("label", "not_a_digit", "skip", "undo")


class ReviewError(ValueError):
    """Bad input from the page: the endpoint answers 400 with this message (in the reviewer's language)."""


@dataclass(frozen=True)
class Outcome:
    action: str
    drawing_id: str
    message: str  # read out to screen readers, in the reviewer's language


def perform(*, session, user, action: str, drawing_id: str | None, label=None) -> Outcome:
    if action not in ACTIONS:
        raise ReviewError(gettext("action must be one of %(actions)s") % {"actions": ", ".join(ACTIONS)})
    stack = list(session.get(SESSION_KEY, []))
    if action == "undo":
        outcome = _undo(stack, user)
    else:
        drawing = _drawing(drawing_id)
        stack.append({"id": str(drawing.pk), "action": action, "label": drawing.confirmed_label,
                      "not_a_digit": drawing.confirmed_not_a_digit})
        outcome = _apply(drawing, action, label, user)
    session[SESSION_KEY] = stack[-MAX_UNDO:]
    return outcome


def _apply(drawing: Drawing, action: str, label, user) -> Outcome:
    short = str(drawing.pk)[:8]
    if action == "label":
        if isinstance(label, bool) or not isinstance(label, int) or not 0 <= label <= 9:
            raise ReviewError(gettext("label must be a digit 0-9"))
        services.drawing_confirm_label(drawing=drawing, label=label, user=user)
        return Outcome(action, str(drawing.pk),
                       gettext("Drawing %(id)s confirmed as %(label)d.") % {"id": short, "label": label})
    if action == "not_a_digit":
        services.drawing_confirm_not_a_digit(drawing=drawing, user=user)
        return Outcome(action, str(drawing.pk), gettext("Drawing %(id)s confirmed as not a digit.") % {"id": short})
    return Outcome(action, str(drawing.pk), gettext("Drawing %(id)s skipped.") % {"id": short})


def _undo(stack: list, user) -> Outcome:
    if not stack:
        raise ReviewError(gettext("nothing to undo"))
    last = stack.pop()
    drawing = Drawing.objects.filter(pk=last["id"]).first()
    if drawing is None:
        raise ReviewError(gettext("the drawing of the last action no longer exists"))
    short = str(drawing.pk)[:8]
    if last["action"] == "skip":
        return Outcome("undo", last["id"], gettext("Back to drawing %(id)s.") % {"id": short})
    if last["not_a_digit"]:
        services.drawing_confirm_not_a_digit(drawing=drawing, user=user)
    else:
        services.drawing_confirm_label(drawing=drawing, label=last["label"], user=user)
    if last["label"] is None and not last["not_a_digit"]:
        return Outcome("undo", last["id"], gettext("Undone: drawing %(id)s is unconfirmed again.") % {"id": short})
    return Outcome("undo", last["id"], gettext("Undone: drawing %(id)s restored.") % {"id": short})


def _drawing(drawing_id) -> Drawing:
    drawing = drawing_get(drawing_id=drawing_id) if isinstance(drawing_id, str) else None
    if drawing is None:
        raise ReviewError(gettext("drawing: no such drawing"))
    return drawing
