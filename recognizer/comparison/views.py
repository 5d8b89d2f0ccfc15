"""The staff comparison page inside the admin: /admin/recognizer/modelversion/compare/?versions=1,2.

`ModelVersionAdmin.get_urls` wraps `compare` in `admin_site.admin_view` (staff only, others go to the
login). A bad selection (too few or many versions, unknown or malformed ids) returns to the changelist
with an error message, never an error page.
"""
from django.contrib import messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext

from recognizer.comparison import disagreements, latency, selectors
from recognizer.localized import decimal
from recognizer.models import Drawing, ModelVersion

TEMPLATE = "admin/recognizer/modelversion/compare.html"
URL_NAME = "recognizer_modelversion_compare"


def compare_url(versions) -> str:
    """Where the admin action sends staff: the page for these versions, in this order."""
    return f"{reverse('admin:' + URL_NAME)}?versions={','.join(str(v.pk) for v in versions)}"


def compare(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    try:
        versions = selectors.versions_for(selectors.parse_ids(request.GET.get("versions", "")))
    except selectors.ComparisonError as err:
        model_admin.message_user(request, str(err), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:recognizer_modelversion_changelist"))
    predictors = [latency.load(version) for version in versions]  # each loaded once for both measures
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": ModelVersion._meta,
        "title": gettext("Compare model versions"),
        "versions": versions,
        "evaluation_rows": selectors.evaluation_rows(versions),
        "serving_rows": selectors.serving_rows(versions),
        "latencies": [gettext("unavailable") if p is None else gettext("%(ms)s ms") % {"ms": decimal(latency.p50_ms(p), 2)}
                      for p in predictors],
        "confusion_rows": selectors.confusion_rows(versions),
        "disagreements": disagreements.find(versions, predictors),
        "thumbnail": _thumbnail(model_admin),
    }
    context["disagreement_rows"] = [
        (context["thumbnail"](row.drawing), [_answer(answer) for answer in row.answers])
        for row in context["disagreements"].listed
    ]
    return TemplateResponse(request, TEMPLATE, context)


def _answer(answer: str) -> str:
    """A version's answer as shown: the digit, or "not a digit" in the reviewer's language."""
    return gettext("not a digit") if answer == disagreements.NOT_A_DIGIT else answer


def _thumbnail(model_admin: ModelAdmin):
    """The drawing admin's own model-input thumbnail, linked to the drawing's admin page."""
    drawing_admin = model_admin.admin_site._registry[Drawing]

    def thumbnail(drawing: Drawing) -> str:
        url = reverse("admin:recognizer_drawing_change", args=[drawing.pk])
        return format_html('<a href="{}" title="{}">{}</a>', url,
                           gettext("drawing %(id)s") % {"id": str(drawing.pk)[:8]}, drawing_admin.model_input(drawing))

    return thumbnail
