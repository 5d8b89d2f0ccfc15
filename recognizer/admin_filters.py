"""The review filters the admin's declarative options cannot express."""
from django.contrib import admin
from django.db.models import F

from recognizer.selectors import disagreement_q

LOW_CONFIDENCE = 0.9


class ConfirmedFilter(admin.SimpleListFilter):
    title = "confirmed"
    parameter_name = "confirmed"

    def lookups(self, request, model_admin):
        return [("yes", "confirmed"), ("no", "not confirmed")]

    def queryset(self, request, queryset):
        if self.value() in ("yes", "no"):
            return queryset.filter(confirmed_label__isnull=self.value() == "no")
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
            return queryset.filter(confirmed_label__isnull=False).exclude(confirmed_label=F("predicted_digit"))
        return queryset


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
