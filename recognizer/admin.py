"""Staff review: look at drawings, confirm labels. Every label change goes through the services."""
import base64
import json

from django.contrib import admin, messages
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, gettext_lazy as _, pgettext

from ml import artifacts
from recognizer import number_admin  # noqa: F401  registers NumberAdmin (Django discovers admin.py only)
from recognizer import job_admin  # noqa: F401  registers JobAdmin
from recognizer import services
from recognizer.comparison import selectors as comparison, views as comparison_views
from recognizer.datasets import admin_views as dataset_views
from recognizer.review import bulk as review_bulk, version_figures, views as review_views
from recognizer.exceptions import ModelUnavailable
from recognizer.localized import decimal
from recognizer.admin_filters import ConfirmedFilter, DisagreementFilter, LowConfidenceFilter, NotADigitFilter
from recognizer.models import FILE_FIELDS, Drawing, ModelVersion
from recognizer.percent import FIGURE_DECIMALS, format_percent
from recognizer.saliency_admin import SaliencyAdminMixin
from recognizer.selectors import BLOBS, VERSION_FILES

THUMB = '<img src="{}" alt="{}" width="{}" height="{}" style="{}" loading="lazy">'
PIXELATED = "image-rendering: pixelated; background: #000; border: 1px solid #ccc"


@admin.register(Drawing)
class DrawingAdmin(SaliencyAdminMixin, admin.ModelAdmin):
    list_display = [
        "short_id",
        "drawing",
        "model_input",
        "predicted_digit",
        "confidence_percent",
        "digit_verdict",
        "suggested",
        "confirmed_label",
        "confirmed_not_a_digit",
        "model_version",
        "source",
        "created",
    ]
    list_display_links = ["short_id"]
    list_editable = ["confirmed_label"]
    list_filter = [
        "predicted_digit",
        ConfirmedFilter,
        DisagreementFilter,
        NotADigitFilter,
        LowConfidenceFilter,
        "source",
        "dataset",
        "model_version",
    ]
    search_fields = ["id"]
    date_hierarchy = "created"
    list_per_page = 50
    actions = ["confirm_prediction", "accept_suggestion", "confirm_not_a_digit", *review_bulk.SET_LABEL_ACTIONS,
               dataset_views.export_selected, dataset_views.export_selected_in_background]
    fieldsets = [
        (None, {"fields": [
            "drawing_large", "model_input_large", "saliency_large", "confirmed_label", "confirmed_not_a_digit",
        ]}),
        (
            _("Prediction"),
            {
                "fields": [
                    "predicted_digit", "confidence_percent", "probabilities_table", "digit_verdict", "model_version",
                ]
            },
        ),
        (_("Labels"), {"fields": ["suggested", "confirmed_by", "confirmed_at"]}),
        (_("Digit of a number"), {"fields": ["number_link", "position", "box"]}),
        (_("Record"), {"fields": ["id", "owner", "source", "created", "content_type"], "classes": ["collapse"]}),
    ]
    readonly_fields = [
        "drawing_large",
        "model_input_large",
        "saliency_large",
        "predicted_digit",
        "confidence_percent",
        "probabilities_table",
        "digit_verdict",
        "model_version",
        "suggested",
        "confirmed_by",
        "confirmed_at",
        "number_link",
        "position",
        "box",
        "id",
        "owner",
        "source",
        "created",
        "content_type",
    ]

    class Media:
        css = {"all": ["recognizer/admin-review.css"]}  # a list that fits 1440 px

    def get_queryset(self, request):
        return super().get_queryset(request).defer(*BLOBS, *VERSION_FILES).select_related("model_version", "confirmed_by")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        """The label field (change form and list column) refuses anything but 0-9 before saving:
        the browser's min/max, then the form's own error, never the database's constraint."""
        if db_field.name == "confirmed_label":
            kwargs.update(min_value=0, max_value=9)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        """A bare digit ("7", "predicted:7", "label:7") searches the digits; anything else the ids."""
        digits = review_bulk.digit_search_q(search_term)
        if digits is None:
            return super().get_search_results(request, queryset, search_term)
        return queryset.filter(digits), False

    def has_add_permission(self, request):
        return False  # drawings come from predictions only

    def get_urls(self):
        """Adds the dataset upload and export pages (recognizer/datasets/admin_views.py) and the review queue."""
        return [*dataset_views.admin_urls(self), *review_views.admin_urls(self), *super().get_urls()]

    def save_model(self, request, obj, form, change):
        """The change form and the list's editable column both land here; only the confirmation is editable.

        The form refuses a label together with "not a digit" (the model's check constraint); a new label
        from the list's column replaces "not a digit"; unticking "not a digit" with no label clears it.
        """
        changed = set(form.changed_data)
        if "confirmed_not_a_digit" in changed and obj.confirmed_not_a_digit:
            services.drawing_confirm_not_a_digit(drawing=obj, user=request.user)
        elif changed & {"confirmed_label", "confirmed_not_a_digit"}:
            services.drawing_confirm_label(drawing=obj, label=obj.confirmed_label, user=request.user)

    @admin.action(description=_("Confirm the prediction as label"), permissions=["change"])
    def confirm_prediction(self, request, queryset):
        for drawing in queryset:
            services.drawing_confirm_label(drawing=drawing, label=drawing.predicted_digit, user=request.user)
        self.message_user(request, gettext("Confirmed %(count)d drawing(s) as predicted.") % {"count": len(queryset)},
                          messages.SUCCESS)

    @admin.action(description=_("Accept the user's suggestion"), permissions=["change"])
    def accept_suggestion(self, request, queryset):
        """A suggested label, or a suggested "not a digit", becomes the confirmed answer."""
        suggested = queryset.filter(Q(suggested_label__isnull=False) | Q(suggested_not_a_digit=True))
        for drawing in suggested:
            if drawing.suggested_not_a_digit:
                services.drawing_confirm_not_a_digit(drawing=drawing, user=request.user)
            else:
                services.drawing_confirm_label(drawing=drawing, label=drawing.suggested_label, user=request.user)
        skipped = queryset.count() - len(suggested)
        done = gettext("Confirmed %(count)d suggestion(s).") % {"count": len(suggested)}
        note = gettext("Skipped %(count)d without a suggestion.") % {"count": skipped} if skipped else ""
        self.message_user(request, f"{done} {note}".strip(), messages.SUCCESS)

    @admin.action(description=_("Confirm as not a digit"), permissions=["change"])
    def confirm_not_a_digit(self, request, queryset):
        for drawing in queryset:
            services.drawing_confirm_not_a_digit(drawing=drawing, user=request.user)
        self.message_user(request, gettext("Confirmed %(count)d drawing(s) as not a digit.") % {"count": len(queryset)},
                          messages.SUCCESS)

    @admin.display(description=_("id"), ordering="id")
    def short_id(self, drawing):
        return str(drawing.pk)[:8]

    @admin.display(description=_("drawing"))
    def drawing(self, drawing, size=56):
        url = reverse("recognizer:prediction-image", args=[drawing.pk])
        return format_html(THUMB, url, gettext("drawing"), size, size, "object-fit: contain; border: 1px solid #ccc")

    @admin.display(description=_("model input (28×28)"))
    def model_input(self, drawing, size=56):
        return format_html(THUMB, reverse("recognizer:prediction-input", args=[drawing.pk]), gettext("input"), size, size,
                           PIXELATED)

    @admin.display(description=_("drawing"))
    def drawing_large(self, drawing):
        return self.drawing(drawing, size=280)

    @admin.display(description=_("model input (28×28)"))
    def model_input_large(self, drawing):
        return self.model_input(drawing, size=280)

    @admin.display(description=_("confidence"), ordering="confidence")
    def confidence_percent(self, drawing):
        return format_percent(drawing.confidence)

    @admin.display(description=_("is a digit (score)"), ordering="digit_score")
    def digit_verdict(self, drawing):
        """The model's not-a-digit answer; "-" for models without that output."""
        if drawing.digit_score is None:
            return "-"
        verdict = gettext("not a digit") if drawing.is_digit is False else gettext("digit")
        return f"{verdict} ({decimal(drawing.digit_score, 2)})"

    @admin.display(description=_("suggested"))
    def suggested(self, drawing):
        """What the user said: a digit, "not a digit", or nothing."""
        if drawing.suggested_not_a_digit:
            return gettext("not a digit")
        return "-" if drawing.suggested_label is None else drawing.suggested_label

    @admin.display(description=_("number"))
    def number_link(self, drawing):
        """The number this drawing is a digit of (its review page), or "-" for a single drawing."""
        if drawing.number_id is None:
            return "-"
        url = reverse("admin:recognizer_number_change", args=[drawing.number_id])
        link = format_html('<a href="{}">{}</a>', url,
                           gettext("number %(id)s") % {"id": str(drawing.number_id)[:8]})
        return format_html(gettext("{number}, digit {position} from the left"), number=link,
                           position=drawing.position + 1)

    @admin.display(description=_("probabilities"))
    def probabilities_table(self, drawing):
        rows = format_html_join(
            "", "<tr><th>{}</th><td>{}</td></tr>", ((d, format_percent(p)) for d, p in enumerate(drawing.probabilities))
        )
        return format_html("<table>{}</table>", rows)


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    """Read-only: versions are registered by code (first use, retrain); activation goes through the service."""

    list_display = ["name", "is_active", "test_accuracy", "held_out_accuracy", "training_set", "parent", "created"]
    list_filter = ["is_active"]
    search_fields = ["name", "notes"]
    actions = ["activate", "compare_versions"]
    fields = [
        "name", "is_active", "test_accuracy", "held_out_accuracy", "training_set", "parent", "created", "notes",
        "training_run", "data_sources", "evaluations_table", "serving", "training_curves", "confusion_matrix", "reliability", "artifact", "sha256", "provenance",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        parents_files = (f"parent__{field}" for field in FILE_FIELDS)
        return super().get_queryset(request).defer(*parents_files).select_related("parent")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_activate_permission(self, request):
        """Switching the served model is a change to the model versions, even though rows stay read-only."""
        return request.user.has_perm("recognizer.change_modelversion")

    @admin.action(description=_("Activate the selected version (served from the next request)"),
                  permissions=["activate"])
    def activate(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, gettext("Select exactly one version to activate."), messages.ERROR)
            return
        version = queryset.get()
        try:
            services.model_version_activate(version=version)
        except ModelUnavailable:
            self.message_user(request, gettext("%(version)s: its model file is missing or changed.")
                              % {"version": version.name}, messages.ERROR)
            return
        self.message_user(request, gettext("%(version)s is now the active model.") % {"version": version.name},
                          messages.SUCCESS)

    @admin.action(description=_("Compare selected versions"), permissions=["view"])
    def compare_versions(self, request, queryset):
        try:
            comparison.check_count(queryset.count())
        except comparison.ComparisonError as err:
            self.message_user(request, str(err), messages.ERROR)
            return None
        return HttpResponseRedirect(comparison_views.compare_url(queryset.order_by("created", "pk")))

    def get_urls(self):
        """Adds the staff comparison page (recognizer/comparison/views.py) before the object URLs."""
        view = self.admin_site.admin_view(self.compare_view)
        return [path("compare/", view, name=comparison_views.URL_NAME), *super().get_urls()]

    def compare_view(self, request):
        return comparison_views.compare(request, self)

    @admin.display(description=_("MNIST test accuracy"))
    def test_accuracy(self, version):
        return format_percent(version.test_accuracy, FIGURE_DECIMALS)

    @admin.display(description=_("held-out drawings accuracy"))
    def held_out_accuracy(self, version):
        return format_percent(version.held_out_accuracy, FIGURE_DECIMALS)

    @admin.display(description=_("training set"))
    def training_set(self, version):
        data = version.report.data
        sources = [(name, source["count"]) for name, source in data.items() if "validation" not in name]
        return ", ".join(f"{count:,} {name.replace('_', ' ')}" for name, count in sources) or "-"

    @admin.display(description=_("training run"))
    def training_run(self, version):
        return version_figures.training_table(version.report)

    @admin.display(description=_("data"))
    def data_sources(self, version):
        return version_figures.data_table(version.report)

    @admin.display(description=_("training curves"))
    def training_curves(self, version):
        return _plot(version, artifacts.CURVES_PLOT, gettext("training curves"))

    @admin.display(description=_("confusion matrix (MNIST test)"))
    def confusion_matrix(self, version):
        return _plot(version, artifacts.CONFUSION_PLOT, gettext("confusion matrix (MNIST test)"))

    @admin.display(description=_("reliability diagram"))
    def reliability(self, version):
        return _plot(version, artifacts.RELIABILITY_PLOT, gettext("reliability diagram"))

    @admin.display(description=_("figures per validation set"))
    def evaluations_table(self, version):
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (name, figures.get("count", "-"), format_percent(figures.get("accuracy"), FIGURE_DECIMALS),
                 format_percent(figures.get("ece"), FIGURE_DECIMALS),
                 format_percent(figures.get("refused"), FIGURE_DECIMALS))
                for name, figures in version.report.evaluations.items()
            ),
        )
        titles = (pgettext("a validation set", "set"), gettext("images"), gettext("accuracy"),
                  gettext("calibration error"), gettext("answered “not a digit”"))
        head = format_html("<tr>{}</tr>", format_html_join("", "<th>{}</th>", ((title,) for title in titles)))
        return format_html("<table>{}{}</table>", head, rows)

    @admin.display(description=_("serving"))
    def serving(self, version):
        serving = version.report.serving
        threshold = serving.get("digit_threshold")
        temperature = decimal(serving.get("temperature", 1.0), 3)
        if threshold is None:
            return gettext("temperature %(temperature)s; this model cannot say “not a digit”") % {
                "temperature": temperature}
        text = gettext("temperature %(temperature)s; not-a-digit threshold %(threshold)s") % {
            "temperature": temperature, "threshold": decimal(threshold, 4)}
        rates = version.report.not_a_digit
        if rates:
            text += " " + gettext("(on validation: refuses %(digits)s of real digits and %(nondigits)s of non-digits; "
                                  "AUROC %(auroc)s)") % {
                "digits": format_percent(rates.get("refused_digits"), FIGURE_DECIMALS),
                "nondigits": format_percent(rates.get("refused_nondigits"), FIGURE_DECIMALS),
                "auroc": decimal(rates.get("auroc", 0), 4)}
        return text

    @admin.display(description=_("code revision and command"))
    def provenance(self, version):
        report = version.report
        return f"{report.code_revision or gettext('unknown revision')}: {report.command or '-'}"


def _plot(version: ModelVersion, name: str, alt: str):
    """The PNG beside the version's model, inlined: plots are ~50 KB and shown only on one page."""
    path = version.artifact_path.parent / name
    try:
        encoded = base64.b64encode(path.read_bytes()).decode()
    except OSError:
        return "-"
    return format_html('<img src="data:image/png;base64,{}" alt="{}" style="max-width: 100%">', encoded, alt)
