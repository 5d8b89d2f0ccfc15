"""The one task every job runs in the worker: `run_job(job_id)` (queued by services.job_enqueue)."""
from __future__ import annotations

import traceback

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from recognizer.jobs.cpu import limit_job_cpu
from recognizer.jobs.exceptions import JobCancelled, JobFailed
from recognizer.jobs.record import JobRecorder, LogStream
from recognizer.jobs.services import job_finish
from recognizer.models import Job, ModelVersion

COMMANDS = {Job.Kind.TRAIN: "train", Job.Kind.RETRAIN: "retrain"}


@task()
def run_job(job_id: str) -> str:
    """Runs the job and records how it ended; returns its final status. Never raises for the job's own
    failure: that is in Job.error, and the queue's retry/failure handling is not ours."""
    started = Job.objects.filter(pk=job_id, status=Job.Status.QUEUED, cancel_requested=False).update(
        status=Job.Status.RUNNING, started=timezone.now())
    if not started:  # cancelled while queued, or already run
        return Job.objects.filter(pk=job_id).values_list("status", flat=True).first() or "missing"
    job = Job.objects.get(pk=job_id)
    recorder = JobRecorder(job.pk)
    try:
        result = _run(job, recorder)
    except Exception as err:
        cancelled = isinstance(err, JobCancelled) or Job.objects.filter(pk=job.pk, cancel_requested=True).exists()
        if cancelled:
            recorder.append("cancelled by staff; nothing was registered")
            job_finish(job_id=job.pk, status=Job.Status.CANCELLED, error="cancelled by staff")
        elif isinstance(err, JobFailed):
            recorder.append(str(err))
            job_finish(job_id=job.pk, status=Job.Status.FAILED, error=str(err))
        else:
            recorder.append(traceback.format_exc(limit=5))
            job_finish(job_id=job.pk, status=Job.Status.FAILED, error=f"{type(err).__name__}: {err}")
    else:
        version = ModelVersion.objects.filter(name=result.get("version")).first() if result.get("version") else None
        recorder.update(stage="done")
        job_finish(job_id=job.pk, status=Job.Status.SUCCEEDED, result=result, model_version=version)
    return Job.objects.get(pk=job.pk).status


def _run(job: Job, recorder: JobRecorder) -> dict:
    if job.kind in COMMANDS:
        return _run_command(job, recorder)
    runner = import_string(job.arguments["runner"])
    return runner(job=job, report=recorder.report) or {}


def _run_command(job: Job, recorder: JobRecorder) -> dict:
    """The same `train`/`retrain` command an operator runs, with the job's callback added to `fit`."""
    from recognizer.jobs.progress import keras_callback, limit_tensorflow_threads

    if getattr(settings, "JOB_LIMIT_CPU", True):  # off only for tests that run jobs inside pytest's process
        limits = limit_job_cpu(settings.JOB_TF_THREADS, settings.JOB_NICENESS)
        recorder.append(f"limits: {limits}, TensorFlow threads {settings.JOB_TF_THREADS} (JOB_TF_THREADS)")
    limit_tensorflow_threads(settings.JOB_TF_THREADS)
    before = set(ModelVersion.objects.values_list("pk", flat=True))
    recorder.update(stage="starting")
    options = {k: v for k, v in job.arguments.items() if k != "runner"}
    call_command(COMMANDS[job.kind], stdout=LogStream(recorder), callbacks=(keras_callback(recorder),), **options)
    new = ModelVersion.objects.exclude(pk__in=before).order_by("-created").first()
    return {"version": new.name, "active": new.is_active} if new else {}
