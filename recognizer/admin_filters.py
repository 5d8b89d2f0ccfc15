"""The review filters the admin's declarative options cannot express."""
from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy as _

from recognizer.localized import decimal
from recognizer.selectors import disagreement_q, drawing_confirmed_q, number_disagreement_q

LOW_CONFIDENCE = 0.9


class ConfirmedFilter(admin.SimpleListFilter):
    """Confirmed as a digit or as not a digit: what retraining learns from."""

    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("confirmed")), ("no", _("not confirmed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(drawing_confirmed_q())
        if self.value() == "no":
            return queryset.exclude(drawing_confirmed_q())
        return queryset


class DisagreementFilter(admin.SimpleListFilter):
    title = _("label differs from prediction")
    parameter_name = "disagreement"

    def lookups(self, request, model_admin):
        return [("yes", _("yes (confirmed or suggested)")), ("confirmed", _("yes (confirmed)"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(disagreement_q())
        if self.value() == "confirmed":
            return queryset.filter(disagreement_q(include_suggested=False))
        return queryset


class NotADigitFilter(admin.SimpleListFilter):
    """Who says it is not a digit: the model (is_digit false), the user, or staff."""

    title = _("not a digit")
    parameter_name = "not_a_digit"
    CONDITIONS = {
        "predicted": {"is_digit": False},
        "suggested": {"suggested_not_a_digit": True},
        "confirmed": {"confirmed_not_a_digit": True},
    }

    def lookups(self, request, model_admin):
        return [
            ("predicted", _("predicted by the model")),
            ("suggested", _("suggested by the user")),
            ("confirmed", _("confirmed")),
        ]

    def queryset(self, request, queryset):
        condition = self.CONDITIONS.get(self.value())
        return queryset if condition is None else queryset.filter(**condition)


class LowConfidenceFilter(admin.SimpleListFilter):
    title = _("confidence")
    parameter_name = "low_confidence"

    def lookups(self, request, model_admin):
        threshold = {"threshold": decimal(LOW_CONFIDENCE, 1)}  # 0.9, or 0,9 in German
        return [("yes", gettext("low (< %(threshold)s)") % threshold), ("no", gettext("high (≥ %(threshold)s)") % threshold)]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(confidence__lt=LOW_CONFIDENCE)
        if self.value() == "no":
            return queryset.filter(confidence__gte=LOW_CONFIDENCE)
        return queryset


class NumberConfirmedFilter(admin.SimpleListFilter):
    """Numbers staff confirmed (a string of digits), or not yet."""

    title = _("confirmed")
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", _("confirmed")), ("no", _("not confirmed"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return _filter(queryset, ~Q(confirmed_number=""), self.value() == "yes")
        return queryset


class NumberDisagreementFilter(admin.SimpleListFilter):
    title = _("number differs from reading")
    parameter_name = "disagreement"

    def lookups(self, request, model_admin):
        return [("yes", _("yes (confirmed or suggested)"))]

    def queryset(self, request, queryset):
        return queryset.filter(number_disagreement_q()) if self.value() == "yes" else queryset


class EmptyNumberFilter(admin.SimpleListFilter):
    """Ink in which nothing was read as a digit: a not-a-digit drawing, or digits the model missed."""

    title = _("digits read")
    parameter_name = "empty"

    def lookups(self, request, model_admin):
        return [("yes", _("none")), ("no", _("at least one"))]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return _filter(queryset, Q(number=""), self.value() == "yes")
        return queryset


def _filter(queryset, condition: Q, wanted: bool):
    return queryset.filter(condition) if wanted else queryset.exclude(condition)
