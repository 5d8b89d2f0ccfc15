"""Staff follow, start and cancel background jobs (recognizer/jobs) in the admin.

Registered from admin.py. A job is never edited: its row is what the worker reports. The change list has
"Start retrain" and "Start quick train" buttons; an unfinished job's page reloads itself every few
seconds (progress, log) and has a Cancel button; `<id>/progress/` gives the same as JSON to staff.
"""
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from recognizer.jobs.exceptions import JobRefused
from recognizer.jobs.forms import RetrainStartForm
from recognizer.jobs.services import job_cancel, job_enqueue
from recognizer.models import Job

STARTABLE = (Job.Kind.RETRAIN, Job.Kind.TRAIN)
REFRESH_SECONDS = 3


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created", "kind", "status", "progress_bar", "started", "duration", "created_by")
    list_filter = ("kind", "status")
    date_hierarchy = "created"
    actions = ["cancel_jobs"]
    readonly_fields = ("kind", "status", "progress_bar", "progress", "arguments", "created", "started",
                       "finished", "duration", "cancel_requested", "error", "result", "model_version",
                       "created_by", "task_id", "log_text")
    fields = readonly_fields
    change_list_template = "admin/recognizer/job/change_list.html"
    change_form_template = "admin/recognizer/job/change_form.html"

    def has_add_permission(self, request):
        return False  # jobs are started by the buttons (start_view), never typed in

    def has_delete_permission(self, request, obj=None):
        return bool(obj is None or obj.is_finished) and super().has_delete_permission(request, obj)

    @admin.display(description=gettext_lazy("progress"))
    def progress_bar(self, job: Job):
        fraction = 1.0 if job.status == Job.Status.SUCCEEDED else float(job.progress.get("fraction") or 0)
        return format_html('<progress value="{}" max="1" style="width: 8em"></progress> {}',
                           round(fraction, 3), progress_text(job))

    @admin.display(description=gettext_lazy("duration"))
    def duration(self, job: Job):
        if not job.started:
            return "-"
        seconds = ((job.finished or timezone.now()) - job.started).total_seconds()
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"

    @admin.display(description=gettext_lazy("log"))
    def log_text(self, job: Job):
        return format_html('<pre style="max-height: 30em; overflow: auto; white-space: pre-wrap">{}</pre>', job.log)

    @admin.action(description=gettext_lazy("Cancel selected jobs"), permissions=["change"])
    def cancel_jobs(self, request, queryset):
        cancelled = sum(job_cancel(job=job) for job in queryset)
        self.message_user(request, _("asked %(count)d job(s) to stop; finished jobs are left as they are")
                          % {"count": cancelled})

    def get_urls(self):
        own = [
            path("start/<str:kind>/", self.admin_site.admin_view(self.start_view), name="recognizer_job_start"),
            path("<uuid:pk>/cancel/", self.admin_site.admin_view(self.cancel_view), name="recognizer_job_cancel"),
            path("<uuid:pk>/progress/", self.admin_site.admin_view(self.progress_view),
                 name="recognizer_job_progress"),
        ]
        return own + super().get_urls()

    def start_view(self, request, kind):
        """POST: queue a retrain (with the options of RetrainStartForm, if any) or a quick train as the
        signed-in staff member. A bad option is a 400 with a JSON body naming it; no job starts."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not request.user.has_perm("recognizer.add_job") or kind not in STARTABLE:
            raise PermissionDenied
        form = RetrainStartForm(request.POST if kind == Job.Kind.RETRAIN else {})
        if not form.is_valid():
            return JsonResponse({"status": "error", "error": form.error_text()}, status=400)
        try:
            job = job_enqueue(kind=kind, arguments={**start_arguments(kind), **form.arguments()}, user=request.user)
        except JobRefused as err:
            self.message_user(request, str(err), messages.ERROR)
            return redirect("admin:recognizer_job_changelist")
        self.message_user(request, _("queued %(kind)s job; a worker will start it") % {"kind": kind})
        return redirect("admin:recognizer_job_change", job.pk)

    def cancel_view(self, request, pk):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        job = get_object_or_404(Job, pk=pk)
        if not self.has_change_permission(request, job):
            raise PermissionDenied
        if job_cancel(job=job) and job.status == Job.Status.CANCELLED:
            self.message_user(request, _("the job is cancelled"))
        elif job.cancel_requested:
            self.message_user(request, _("asked the job to stop; it stops at its next check (within seconds). "
                                         "If its worker is gone, cancel again to close it."))
        else:
            self.message_user(request, _("the job had already %(status)s") % {"status": job.get_status_display()},
                              messages.WARNING)
        return redirect("admin:recognizer_job_change", job.pk)

    def progress_view(self, request, pk):
        job = get_object_or_404(Job, pk=pk)
        if not self.has_view_permission(request, job):
            raise PermissionDenied
        return JsonResponse({"id": str(job.pk), "kind": job.kind, "status": job.status, "progress": job.progress,
                             "cancel_requested": job.cancel_requested, "error": job.error, "result": job.result})

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "retrain_form": RetrainStartForm()})

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        job = Job.objects.filter(pk=object_id).first() if object_id else None
        extra_context = {**(extra_context or {}),
                         "refresh_seconds": REFRESH_SECONDS if job and not job.is_finished else None,
                         "cancel_url": reverse("admin:recognizer_job_cancel", args=[job.pk]) if job else None}
        return super().changeform_view(request, object_id, form_url, extra_context)


def start_arguments(kind: str) -> dict:
    """The retrain command's defaults; a train with JOB_QUICK_TRAIN_OPTIONS (a few minutes by default)."""
    return dict(settings.JOB_QUICK_TRAIN_OPTIONS) if kind == Job.Kind.TRAIN else {}


def progress_text(job: Job) -> str:
    """"training, epoch 2/5, loss 0.3121, ~3 min left" from what the worker last reported."""
    p = job.progress
    parts = [p.get("stage") or job.get_status_display()]  # a stage is the worker's own word (training, ...)
    if p.get("epochs"):
        parts.append(_("epoch %(epoch)s/%(epochs)s") % {"epoch": p.get("epoch"), "epochs": p["epochs"]})
    if p.get("loss") is not None:
        parts.append(_("loss %(loss)s") % {"loss": p["loss"]})
    if p.get("seconds_left") is not None and not job.is_finished:
        parts.append(_("~%(minutes)s min left") % {"minutes": max(1, round(p["seconds_left"] / 60))})
    return ", ".join(str(part) for part in parts)
