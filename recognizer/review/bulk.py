"""Changelist helpers for fast review: "Set label to N" actions and a search that understands digits.

Ten actions (one per digit) rather than one with an intermediate form: a single choice in the action
menu, no extra page. Each writes through `services.drawing_confirm_label`.
"""
import re

from django.contrib import admin, messages
from django.db.models import Q
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy as _

from recognizer import services

DIGIT_TERM = re.compile(r"^(?:(?P<field>predicted|label):)?(?P<digit>[0-9])$")


def _set_label_action(digit: int):
    @admin.action(description=format_lazy(_("Set label to {digit}"), digit=digit), permissions=["change"])
    def set_label(model_admin, request, queryset):
        for drawing in queryset:
            services.drawing_confirm_label(drawing=drawing, label=digit, user=request.user)
        model_admin.message_user(
            request, gettext("Set the label of %(count)d drawing(s) to %(digit)d.") % {"count": len(queryset), "digit": digit},
            messages.SUCCESS,
        )

    set_label.__name__ = f"set_label_{digit}"
    return set_label


SET_LABEL_ACTIONS = [_set_label_action(digit) for digit in range(10)]


def digit_search_q(term: str) -> Q | None:
    """A bare digit finds drawings predicted or confirmed as it; "predicted:7" and "label:7" one of the two.

    None for any other term (the admin's own search_fields apply then).
    """
    match = DIGIT_TERM.match(term.strip())
    if match is None:
        return None
    digit, field = int(match["digit"]), match["field"]
    if field == "predicted":
        return Q(predicted_digit=digit)
    if field == "label":
        return Q(confirmed_label=digit)
    return Q(predicted_digit=digit) | Q(confirmed_label=digit)
