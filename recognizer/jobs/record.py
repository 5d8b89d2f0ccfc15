"""What a running job writes about itself: log lines, progress, and whether staff asked it to stop.

Each write is its own short UPDATE (autocommit), so the admin sees it at once; the log grows with a
database-side concatenation, never a read-modify-write of the whole text.
"""
from __future__ import annotations

import time

from django.db.models import F, TextField, Value
from django.db.models.functions import Concat

from recognizer.jobs.exceptions import JobCancelled
from recognizer.models import Job

CANCEL_CHECK_SECONDS = 1.0  # at most one cancel_requested read per second between batches
# The train and retrain commands print "<stage>: ..." when they start these stages; other lines with a colon
# (a table's legend, "fixed: ...") are only logged.
LOG_STAGES = frozenset({"data", "model", "mix"})


class JobRecorder:
    """One job's progress and log, as the worker reports them; `report` is what runners receive."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.progress: dict = {}
        self._checked = 0.0

    def report(self, line: str | None = None, **progress) -> None:
        """Appends `line` to the log, merges `progress` into Job.progress; raises JobCancelled if asked to stop."""
        if line is not None:
            self.append(line)
        if progress:
            self.update(**progress)
        self.check_cancel(force=True)

    def append(self, text: str) -> None:
        text = text if text.endswith("\n") else text + "\n"
        Job.objects.filter(pk=self.job_id).update(log=Concat(F("log"), Value(text), output_field=TextField()))

    def update(self, **progress) -> None:
        self.progress.update(progress)
        Job.objects.filter(pk=self.job_id).update(progress=self.progress)

    def check_cancel(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._checked < CANCEL_CHECK_SECONDS:
            return
        self._checked = now
        if Job.objects.filter(pk=self.job_id, cancel_requested=True).exists():
            raise JobCancelled("cancelled by staff")


class LogStream:
    """A file-like stdout for a management command run by a job: every line goes to the job's log, and a
    line starting with a stage of LOG_STAGES ("data:", "model:", "mix:") becomes progress["stage"]."""

    def __init__(self, recorder: JobRecorder):
        self.recorder = recorder

    def write(self, text: str) -> int:
        for line in text.splitlines():
            if line.strip():
                self.recorder.append(line)
                stage = line.split(":", 1)[0].strip()
                if stage in LOG_STAGES:
                    self.recorder.update(stage=stage)
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False
