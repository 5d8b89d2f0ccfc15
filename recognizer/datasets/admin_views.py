"""Datasets in the admin: an upload page (/admin/recognizer/drawing/import-dataset/) and the changelist action
"Export selected confirmed drawings" (a zip of images + labels.csv that the upload page reads back).

By default the upload is imported by a background job (recognizer/datasets/jobs.py; staff follow it under
Jobs, with the full limits). Unticking "background" imports within the request, at most
DIGITS_DATASET_ADMIN_MAX_ENTRIES files (default 5,000, some seconds of prediction). Every refusal seen in
the request is a form error and stores nothing; a job's refusal is its error, and it stores nothing either.
"""
import dataclasses
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, gettext_lazy as _

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.exporters import dataset_export
from recognizer.datasets.importers import FORMATS
from recognizer.datasets.jobs import DOWNLOAD_URL_NAME, enqueue_export, enqueue_import, upload_storage
from recognizer.datasets.limits import Limits
from recognizer.datasets.services import dataset_import
from recognizer.exceptions import ModelUnavailable
from recognizer.localized import grouped
from recognizer.models import Drawing, Job

TEMPLATE = "admin/recognizer/drawing/import_dataset.html"
URL_NAME = "recognizer_drawing_import_dataset"


def admin_urls(model_admin: ModelAdmin) -> list:
    """The upload page and the export download, staff only (admin_view), for `DrawingAdmin.get_urls`."""
    site = model_admin.admin_site
    return [
        path("import-dataset/", site.admin_view(lambda request: import_dataset_view(request, model_admin)),
             name=URL_NAME),
        path("export/<uuid:job_id>/",
             site.admin_view(lambda request, job_id: export_download_view(request, model_admin, job_id)),
             name=DOWNLOAD_URL_NAME),
    ]


def admin_limits() -> Limits:
    """The dataset limits, with fewer entries: the admin imports within one request."""
    limits = Limits.from_settings()
    cap = getattr(settings, "DIGITS_DATASET_ADMIN_MAX_ENTRIES", 5_000)
    return dataclasses.replace(limits, max_entries=min(limits.max_entries, cap))


class DatasetUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A .zip of images with labels.csv (header file,label; label 0-9 or x for not a digit), "
                    "a .zip of two IDX files, or an .npz with x (N,28,28) and y (0-9, 10 = not a digit)."),
    )
    name = forms.CharField(max_length=100, label=_("Name"),
                           help_text=_("Stored on every drawing: letters, digits, '.', '_', '-'."))
    format = forms.ChoiceField(choices=[(f, f) for f in FORMATS], initial="auto", label=_("Format"),
                               help_text=_("auto tells the format from the archive's contents."))
    append = forms.BooleanField(required=False, label=_("Append"), help_text=_("Add to an existing dataset of this name."))
    background = forms.BooleanField(
        required=False, initial=True, label=_("Background"),
        help_text=_("Import in a background job (follow it under Jobs). Unticked: import now, in this request, "
                    "with a lower limit on files."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = admin_limits().max_total_bytes
        if upload.size > limit:
            raise forms.ValidationError(gettext("the file is %(size)s bytes; the limit is %(limit)s bytes")
                                        % {"size": grouped(upload.size), "limit": grouped(limit)})
        return upload


def import_dataset_view(request: HttpRequest, model_admin: ModelAdmin) -> HttpResponse:
    """Confirming labels needs the change permission, so importing confirmed drawings does too."""
    if not model_admin.has_change_permission(request):
        raise PermissionDenied
    form = DatasetUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["background"]:
            job = _enqueue(request, form)
            if job is not None:
                return HttpResponseRedirect(reverse("admin:recognizer_job_change", args=[job.pk]))
        elif _import(request, model_admin, form):
            query = urlencode({"dataset": form.cleaned_data["name"]})
            return HttpResponseRedirect(f"{reverse('admin:recognizer_drawing_changelist')}?{query}")
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Drawing._meta,
        "title": gettext("Import a dataset"),
        "form": form,
        "max_entries": admin_limits().max_entries,
    }
    return TemplateResponse(request, TEMPLATE, context)


def _enqueue(request: HttpRequest, form: DatasetUploadForm):
    data = form.cleaned_data
    try:
        return enqueue_import(file=data["file"], name=data["name"], fmt=data["format"], append=data["append"],
                              user=request.user)
    except DatasetError as err:
        form.add_error(None, gettext("Nothing was imported: %(reason)s") % {"reason": err})
        return None


def _import(request: HttpRequest, model_admin: ModelAdmin, form: DatasetUploadForm) -> bool:
    data = form.cleaned_data
    try:
        result = dataset_import(file=data["file"], name=data["name"], fmt=data["format"], append=data["append"],
                                user=request.user, limits=admin_limits())
    except DatasetError as err:
        form.add_error(None, gettext("Nothing was imported: %(reason)s") % {"reason": err})
        return False
    except ModelUnavailable:
        form.add_error(None, gettext("Nothing was imported: no model version is active to predict the drawings."))
        return False
    model_admin.message_user(request, _summary(result), messages.SUCCESS)
    return True


def _summary(result) -> str:
    """What the import did, as `result.summary()` says it, in the reviewer's language."""
    ignored = gettext("; %(count)s unlisted file(s) ignored") % {"count": grouped(result.ignored)} if result.ignored else ""
    return gettext("Imported %(count)s drawing(s) into dataset '%(name)s' from a %(format)s archive (%(digits)s digits, "
                   "%(not_digits)s not a digit%(ignored)s).") % {
        "count": grouped(result.count), "name": result.name, "format": result.format, "digits": grouped(result.digits),
        "not_digits": grouped(result.not_digits), "ignored": ignored}


@admin.action(description=_("Export selected confirmed drawings in the background (zip + labels.csv)"),
              permissions=["view"])
def export_selected_in_background(model_admin: ModelAdmin, request: HttpRequest, queryset) -> HttpResponse | None:
    """For selections too large for one request: a job writes the file; its page links the download."""
    try:
        job = enqueue_export(ids=list(queryset.values_list("pk", flat=True)), fmt="zip", user=request.user)
    except DatasetError as err:
        model_admin.message_user(request, str(err), messages.ERROR)
        return None
    return HttpResponseRedirect(reverse("admin:recognizer_job_change", args=[job.pk]))


def export_download_view(request: HttpRequest, model_admin: ModelAdmin, job_id) -> HttpResponse:
    """The file a finished export job wrote; 404 for any other job (or one whose file is gone)."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    job = Job.objects.filter(pk=job_id, kind=Job.Kind.EXPORT, status=Job.Status.SUCCEEDED).first()
    storage = upload_storage()
    if job is None or not job.result.get("file") or not storage.exists(job.result["file"]):
        raise Http404(gettext("no finished export with this id"))
    return FileResponse(storage.open(job.result["file"], "rb"), as_attachment=True,
                        filename=job.result["file"].rsplit("-", 1)[-1], content_type="application/zip")


@admin.action(description=_("Export selected confirmed drawings (zip + labels.csv)"), permissions=["view"])
def export_selected(model_admin: ModelAdmin, request: HttpRequest, queryset) -> HttpResponse | None:
    """Unconfirmed drawings among the selection are left out (they have no label to export)."""
    result = dataset_export(queryset, "zip")
    if result.count == 0:
        model_admin.message_user(request, gettext("None of the selected drawings is confirmed: nothing to export."),
                                 messages.ERROR)
        return None
    response = HttpResponse(result.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{result.filename}"'
    return response
