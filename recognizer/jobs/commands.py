"""Jobs from a terminal: `--background` for the train, retrain, import_dataset and export_dataset commands.

train/retrain without --background run the command's own code here and wait (no Job row); with it, the same
command is queued as a job (`enqueue_from_command`). import_dataset/export_dataset always make a Job row,
so Jobs in the admin lists every import and export with its log, progress and Cancel button: with
--background it is queued for a worker, else this process runs it at once and waits (`job_from_command`).
Both print `queued <kind> job <id>` when they queue.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recognizer.jobs.exceptions import JobRefused
from recognizer.jobs.services import job_create, job_enqueue, job_finish
from recognizer.models import Job

BACKGROUND_HELP = ("queue the run as a background job (the worker runs it: `manage.py db_worker`, or rqworker "
                   "with TASKS_BACKEND=rq), print the job's id and return at once; follow it under Jobs in the "
                   "admin (default: run here and wait)")
INTERRUPTED = "interrupted in the terminal (Ctrl-C)"


def enqueue_from_command(command: BaseCommand, kind: str, options: dict, names: tuple[str, ...]) -> None:
    """Queues `kind` with the options in `names` that differ from the command's defaults; prints the id."""
    defaults = command.create_parser("manage.py", kind).parse_args([])
    arguments = {name: _jsonable(options[name]) for name in names
                 if name in options and options[name] != getattr(defaults, name, None)}
    job_from_command(command, kind=kind, arguments=arguments, background=True)


def job_from_command(command: BaseCommand, *, kind: str, arguments: dict, background: bool, runner: str = "") -> Job:
    """A Job for a command. `background`: queued for a worker; prints "queued <kind> job <id>" and returns it
    queued. Otherwise run in this process at once, as a worker would (progress and log in the row, staff can
    cancel it from the admin), and returned finished: succeeded, failed or cancelled. Ctrl-C cancels it.
    A refusal (one training at a time, the queue unreachable) is a CommandError."""
    try:
        if background:
            job = job_enqueue(kind=kind, arguments=arguments, runner=runner)
        else:
            job = job_create(kind=kind, arguments=arguments, runner=runner)
    except JobRefused as err:
        raise CommandError(str(err)) from err
    if background:
        command.stdout.write(f"queued {kind} job {job.pk}")
        return job
    return run_here(job)


def run_here(job: Job) -> Job:
    """Runs the queued `job` in this process (what a worker does) and waits for its end."""
    from recognizer.jobs.tasks import run_job

    try:
        run_job.call(str(job.pk))
    except KeyboardInterrupt:
        job_finish(job_id=job.pk, status=Job.Status.CANCELLED, error=INTERRUPTED)
        raise
    job.refresh_from_db()
    return job


def _jsonable(value):
    """Job.arguments is JSON: paths become strings."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)
