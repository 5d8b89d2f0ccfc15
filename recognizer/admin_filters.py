"""The review filters the admin's declarative options cannot express."""
from django.contrib import admin

from recognizer.selectors import disagreement_q, drawing_confirmed_q

LOW_CONFIDENCE = 0.9


class ConfirmedFilter(admin.SimpleListFilter):
    """Confirmed as a digit or as not a digit: what retraining learns from."""

    title = "confirmed"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", "confirmed"), ("no", "not confirmed")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(drawing_confirmed_q())
        if self.value() == "no":
            return queryset.exclude(drawing_confirmed_q())
        return queryset


class DisagreementFilter(admin.SimpleListFilter):
    title = "label differs from prediction"
    parameter_name = "disagreement"

    def lookups(self, request, model_admin):
        return [("yes", "yes (confirmed or suggested)"), ("confirmed", "yes (confirmed)")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(disagreement_q())
        if self.value() == "confirmed":
            return queryset.filter(disagreement_q(include_suggested=False))
        return queryset


class NotADigitFilter(admin.SimpleListFilter):
    """Who says it is not a digit: the model (is_digit false), the user, or staff."""

    title = "not a digit"
    parameter_name = "not_a_digit"
    CONDITIONS = {
        "predicted": {"is_digit": False},
        "suggested": {"suggested_not_a_digit": True},
        "confirmed": {"confirmed_not_a_digit": True},
    }

    def lookups(self, request, model_admin):
        return [
            ("predicted", "predicted by the model"),
            ("suggested", "suggested by the user"),
            ("confirmed", "confirmed"),
        ]

    def queryset(self, request, queryset):
        condition = self.CONDITIONS.get(self.value())
        return queryset if condition is None else queryset.filter(**condition)


class LowConfidenceFilter(admin.SimpleListFilter):
    title = "confidence"
    parameter_name = "low_confidence"

    def lookups(self, request, model_admin):
        return [("yes", f"low (< {LOW_CONFIDENCE})"), ("no", f"high (≥ {LOW_CONFIDENCE})")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(confidence__lt=LOW_CONFIDENCE)
        if self.value() == "no":
            return queryset.filter(confidence__gte=LOW_CONFIDENCE)
        return queryset
