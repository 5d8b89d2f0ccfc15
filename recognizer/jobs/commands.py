"""`--background` for the train and retrain commands: queue the same command as a job instead of waiting."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from recognizer.jobs.exceptions import JobRefused
from recognizer.jobs.services import job_enqueue

BACKGROUND_HELP = ("queue the run as a background job (the worker runs it: `manage.py db_worker`, or rqworker "
                   "with TASKS_BACKEND=rq), print the job's id and return at once; follow it under Jobs in the "
                   "admin (default: run here and wait)")


def enqueue_from_command(command: BaseCommand, kind: str, options: dict, names: tuple[str, ...]) -> None:
    """Queues `kind` with the options in `names` that differ from the command's defaults; prints the id."""
    defaults = command.create_parser("manage.py", kind).parse_args([])
    arguments = {name: _jsonable(options[name]) for name in names
                 if name in options and options[name] != getattr(defaults, name, None)}
    try:
        job = job_enqueue(kind=kind, arguments=arguments)
    except JobRefused as err:
        raise CommandError(str(err)) from err
    command.stdout.write(f"queued {kind} job {job.pk}")


def _jsonable(value):
    """Job.arguments is JSON: paths become strings."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)
