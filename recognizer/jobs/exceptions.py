"""Errors of the job machinery; their messages are shown to staff as they are."""


class JobRefused(Exception):
    """A job cannot be started (another training runs, the queue is unreachable, a bad option)."""


class JobCancelled(Exception):
    """Raised inside a running job once staff asked it to stop; the job ends as cancelled."""


class JobFailed(Exception):
    """A job's own refusal (a bad archive, nothing to export): its message becomes Job.error as it is,
    without the exception's type and without a traceback in the log."""
