"""Staff review of whole numbers: the image with a box around each piece read, the string, the digits.

Registered from admin.py (Django discovers that module only). Confirmations go through
`number_services.number_confirm`, which confirms each digit's label when the counts match.
"""
from django.contrib import admin, messages
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _

from recognizer import number_services
from recognizer.admin_filters import (
    EmptyNumberFilter,
    LowConfidenceFilter,
    NumberConfirmedFilter,
    NumberDisagreementFilter,
)
from recognizer.localized import decimal
from recognizer.models import Drawing, Number
from recognizer.percent import format_percent
from recognizer.selectors import BLOBS, VERSION_FILES

DIGIT_COLOUR, REJECTED_COLOUR = "#1a7f37", "#cf222e"
RECT = '<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="{}" stroke-width="{}"{}/>'
LABEL = '<text x="{}" y="{}" font-size="{}" fill="{}" font-family="sans-serif" font-weight="bold">{}</text>'
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" width="{}" height="{}" role="img" '
       'aria-label="{}" style="border: 1px solid #ccc; background: #fff"><image href="{}" width="{}" height="{}"/>'
       '{}{}</svg>')


def boxes_svg(number: Number, width: int) -> str:
    """The original image at `width` pixels, a green box and digit over each digit read, a dashed red box
    over each piece judged not a digit. Inline SVG: the browser scales the boxes with the image."""
    line = max(2, round(number.width / 150))
    font = max(12, round(number.height / 6))
    digits = list(number.digits.all())
    rects = format_html_join("", RECT, (
        (*d.box, DIGIT_COLOUR, line, "") for d in digits
    ))
    rejected = format_html_join("", RECT, (
        (*piece["box"], REJECTED_COLOUR, line, format_html(' stroke-dasharray="{}"', 3 * line))
        for piece in number.rejected
    ))
    labels = format_html_join("", LABEL, (
        (d.box[0], max(font, d.box[1] - line), font, DIGIT_COLOUR, d.predicted_digit) for d in digits
    ))
    url = reverse("recognizer:number-image", args=[number.pk])
    height = max(1, round(width * number.height / number.width))
    label = gettext("read %(number)s") % {"number": number.number} if number.number else gettext("read nothing")
    return format_html(SVG, number.width, number.height, width, height, label,
                       url, number.width, number.height, format_html("{}{}", rects, rejected), labels)


class DigitInline(admin.TabularInline):
    """The number's digits, left to right, read-only here: each links to its drawing's page for review."""

    model = Drawing
    fk_name = "number"
    verbose_name, verbose_name_plural = _("digit"), _("digits")
    fields = ["position", "model_input", "predicted_digit", "confidence_percent", "digit_verdict", "box",
              "suggested_label", "confirmed_label"]
    readonly_fields = fields
    extra, max_num = 0, 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*BLOBS).order_by("position")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("model input"))
    def model_input(self, drawing):
        url = reverse("recognizer:prediction-input", args=[drawing.pk])
        return format_html('<img src="{}" alt="{}" width="56" height="56" style="image-rendering: pixelated; '
                           'background: #000">', url, gettext("input"))

    @admin.display(description=_("confidence"))
    def confidence_percent(self, drawing):
        return format_percent(drawing.confidence)

    @admin.display(description=_("is a digit (score)"))
    def digit_verdict(self, drawing):
        return "-" if drawing.digit_score is None else decimal(drawing.digit_score, 2)


@admin.register(Number)
class NumberAdmin(admin.ModelAdmin):
    list_display = ["short_id", "thumbnail", "number", "confidence_percent", "suggested_number", "confirmed_number",
                    "confirmed_count_differs", "model_version", "source", "created"]
    list_display_links = ["short_id"]
    list_filter = [NumberConfirmedFilter, NumberDisagreementFilter, "confirmed_count_differs", EmptyNumberFilter,
                   LowConfidenceFilter, "source", "model_version"]
    search_fields = ["id", "number", "suggested_number", "confirmed_number"]
    date_hierarchy = "created"
    list_per_page = 50
    actions = ["confirm_reading", "accept_suggestion"]
    inlines = [DigitInline]
    fieldsets = [
        (None, {"fields": ["picture", "number", "confirmed_number"]}),
        (_("Reading"), {"fields": ["confidence_percent", "rejected_pieces", "model_version"]}),
        (_("Review"), {"fields": ["suggested_number", "confirmed_count_differs", "confirmed_by", "confirmed_at"]}),
        (_("Record"), {"fields": ["id", "owner", "source", "created", "content_type", "width", "height"],
                       "classes": ["collapse"]}),
    ]
    readonly_fields = ["picture", "number", "confidence_percent", "rejected_pieces", "model_version",
                       "suggested_number", "confirmed_count_differs", "confirmed_by", "confirmed_at", "id", "owner",
                       "source", "created", "content_type", "width", "height"]

    def get_queryset(self, request):
        digits = Drawing.objects.defer(*BLOBS).order_by("position")
        numbers = super().get_queryset(request).defer("image", *VERSION_FILES).select_related(
            "model_version", "confirmed_by", "owner"
        )
        return numbers.prefetch_related(Prefetch("digits", queryset=digits))

    def has_add_permission(self, request):
        return False  # numbers come from readings only

    def save_model(self, request, obj, form, change):
        """Only the confirmed number is editable; blank clears it. Counts that match confirm each digit."""
        if "confirmed_number" in form.changed_data:
            number_services.number_confirm(number=obj, value=obj.confirmed_number or None, user=request.user)

    @admin.action(description=_("Confirm the number as read"), permissions=["change"])
    def confirm_reading(self, request, queryset):
        self._confirm_field(request, queryset, "number", done=_("Confirmed %(count)d number(s) as read."),
                            skipped=_("Skipped %(count)d with no digit read."))

    @admin.action(description=_("Accept the user's number"), permissions=["change"])
    def accept_suggestion(self, request, queryset):
        self._confirm_field(request, queryset, "suggested_number", done=_("Confirmed %(count)d suggestion(s)."),
                            skipped=_("Skipped %(count)d without a suggestion."))

    def _confirm_field(self, request, queryset, field: str, *, done, skipped) -> None:
        """Confirms each number as the string in `field`; numbers where it is empty are skipped and counted.
        `done` and `skipped` are the messages, each with a %(count)d."""
        chosen = [number for number in queryset if getattr(number, field)]
        for number in chosen:
            number_services.number_confirm(number=number, value=getattr(number, field), user=request.user)
        left = len(queryset) - len(chosen)
        message = done % {"count": len(chosen)}
        if left:
            message = f"{message} {skipped % {'count': left}}"
        self.message_user(request, message, messages.SUCCESS)

    @admin.display(description=_("id"), ordering="id")
    def short_id(self, number):
        return str(number.pk)[:8]

    @admin.display(description=_("image (boxes: green digit, red not a digit)"))
    def thumbnail(self, number):
        return boxes_svg(number, width=240)

    @admin.display(description=_("image (boxes: green digit, red not a digit)"))
    def picture(self, number):
        return boxes_svg(number, width=720)

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_percent(self, number):
        return format_percent(number.confidence)

    @admin.display(description=_("not digits"))
    def rejected_pieces(self, number):
        rows = format_html_join("", "<li>{}</li>", (
            (gettext("box %(box)s — is a digit: %(score)s") % {
                "box": piece["box"],
                "score": "-" if piece["digit_score"] is None else decimal(piece["digit_score"], 2)},)
            for piece in number.rejected
        ))
        return format_html("<ul>{}</ul>", rows) if number.rejected else "-"
