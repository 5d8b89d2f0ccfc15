"""Starting and cancelling jobs: what the admin and the commands call (web side; no TensorFlow)."""
from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from recognizer.jobs.exceptions import JobRefused
from recognizer.models import Job

RUNNER_KINDS = (Job.Kind.IMPORT, Job.Kind.EXPORT)


def job_enqueue(*, kind: str, arguments: dict | None = None, user=None, runner: str = "") -> Job:
    """Records a queued Job and hands `run_job(job.id)` to the task queue; returns the Job.

    Train/retrain take `arguments` as their command's options (e.g. {"quick": True, "epochs": 1}); other
    kinds need `runner`, the dotted path of `function(job=..., report=...)` (see the package docstring).
    Raises JobRefused when a training job is unfinished or the queue cannot take the task; then no job
    stays queued.
    """
    job = job_create(kind=kind, arguments=arguments, user=user, runner=runner)
    _hand_to_queue(job)
    return job


def job_create(*, kind: str, arguments: dict | None = None, user=None, runner: str = "") -> Job:
    """The queued Job row alone, checked like `job_enqueue` does, but handed to no queue: for a command that
    runs the job itself, in its own process (`run_job.call(str(job.pk))`, see recognizer/jobs/commands.py)."""
    if kind not in Job.Kind.values:
        raise JobRefused(f"unknown job kind {kind!r}; one of {', '.join(Job.Kind.values)}")
    if kind in RUNNER_KINDS and not runner:
        raise JobRefused(f"a {kind} job needs a runner: the dotted path of the function that does the work")
    arguments = {**(arguments or {}), **({"runner": runner} if runner else {})}
    with transaction.atomic():
        if kind in Job.TRAINING_KINDS:
            _refuse_a_second_training()
        return Job.objects.create(kind=kind, arguments=arguments, created_by=user)


def _refuse_a_second_training() -> None:
    """Inside the caller's transaction: raise JobRefused if a training job is queued or running.

    Two staff clicking at once must not both pass the check, and there is no row to lock before the job
    exists, so this first writes to one fixed row (the Job content type): PostgreSQL holds that row lock,
    SQLite its single write lock, until the transaction commits: a second caller waits, then sees the job.
    """
    lock = ContentType.objects.get_for_model(Job)
    ContentType.objects.filter(pk=lock.pk).update(model=lock.model)
    running = Job.objects.filter(kind__in=Job.TRAINING_KINDS, status__in=Job.UNFINISHED).first()
    if running is not None:
        raise JobRefused(
            f"a {running.kind} job ({running.pk}) is already {running.status}: one training at a time. "
            "Wait for it to finish, or cancel it in the admin (Jobs)."
        )


def _hand_to_queue(job: Job) -> None:
    from recognizer.jobs.tasks import run_job

    try:
        result = run_job.enqueue(str(job.pk))
    except Exception as err:  # Redis down, a misconfigured backend: say so, leave no job queued
        job_finish(job_id=job.pk, status=Job.Status.FAILED, error=f"the task queue refused the job: {err}")
        raise JobRefused(f"the task queue is not reachable ({type(err).__name__}: {err}); nothing was started") from err
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]


def job_cancel(*, job: Job) -> bool:
    """Asks `job` to stop; a queued job is cancelled at once, a running one at its next check (between
    training batches). Returns False if it had already finished.

    Cancelling a running job a second time marks it cancelled without waiting: the way out when its
    worker was killed, since an orphaned "running" training would otherwise block every new one.
    """
    if job.is_finished:
        return False
    if job.cancel_requested and job.status == Job.Status.RUNNING:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
            status=Job.Status.CANCELLED, finished=timezone.now(),
            error="cancelled twice: closed without waiting for its worker")
        job.refresh_from_db()
        return True
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    Job.objects.filter(pk=job.pk, status=Job.Status.QUEUED).update(
        status=Job.Status.CANCELLED, finished=timezone.now(), error="cancelled before it started"
    )
    job.refresh_from_db()
    return True


def job_finish(*, job_id, status: str, error: str = "", result: dict | None = None, model_version=None) -> None:
    """The end of a job, written once by the worker (or by the enqueue that failed)."""
    Job.objects.filter(pk=job_id).update(
        status=status, finished=timezone.now(), error=error, result=result or {}, model_version=model_version
    )
