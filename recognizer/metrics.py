"""The recognizer's Prometheus metrics, and the one-line calls that record them.

Counters are incremented when the database write they count commits (never for one rolled back), so
a scrape agrees with the tables (a test checks it). Under gunicorn, prometheus-client's multiprocess mode keeps
each worker's values in files under PROMETHEUS_MULTIPROC_DIR (set by `make serve-prod`), and /metrics
adds them up; a `train` or `retrain` run with the same directory in its environment is added in too.
Label values are all bounded: model versions, digits 0-9, and the few kinds named below.
"""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import transaction
from prometheus_client import Counter, Histogram

if TYPE_CHECKING:  # manage.py imports this module (job_timer) before Django is set up
    from recognizer.models import Drawing

CONFIDENCE_BUCKETS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1.0)
MODEL_LOAD_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
JOB_BUCKETS = (10, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200)  # seconds: train/retrain take minutes

LABEL = "label"
NOT_A_DIGIT = "not_a_digit"
CLEARED = "cleared"  # staff removed a confirmation

PREDICTIONS = Counter(
    "digits_predictions",
    "Stored predictions, by the model version that made them, the digit it read and whether it judged "
    "the drawing a digit at all (unknown: the version has no not-a-digit output).",
    ["model_version", "digit", "is_digit"],
)
CONFIDENCE = Histogram(
    "digits_prediction_confidence",
    "Probability of the predicted digit, per stored prediction.",
    ["model_version"],
    buckets=CONFIDENCE_BUCKETS,
)
FEEDBACK = Counter(
    "digits_feedback",
    "Users' feedback on a prediction (kind: label or not_a_digit); agrees: whether it matches what the "
    "model said (agrees=false is a user reporting a wrong prediction).",
    ["kind", "agrees"],
)
CONFIRMATIONS = Counter(
    "digits_confirmations",
    "Staff confirmations, the labels training uses (kind: label, not_a_digit, or cleared); agrees: "
    "whether the confirmation matches what the model said.",
    ["kind", "agrees"],
)
MODEL_LOAD_SECONDS = Histogram(
    "digits_model_load_seconds",
    "Time to check and load a model file into a LiteRT interpreter (once per version per process; "
    "successful loads only).",
    buckets=MODEL_LOAD_BUCKETS,
)
JOB_SECONDS = Histogram(
    "digits_job_duration_seconds",
    "Duration of a train or retrain run, failed or not.",
    ["job"],
    buckets=JOB_BUCKETS,
)
JOB_FAILURES = Counter("digits_job_failures", "train or retrain runs that failed.", ["job"])


def record_predictions(drawings: Iterable[Drawing]) -> None:
    """Counts stored drawings once their transaction commits (at once outside a transaction)."""
    drawings = list(drawings)
    transaction.on_commit(lambda: _count_predictions(drawings))


def record_feedback(drawing: Drawing) -> None:
    """Counts the user's suggestion just saved on `drawing` (a label or "not a digit"), on commit."""
    kind = NOT_A_DIGIT if drawing.suggested_not_a_digit else LABEL
    agrees = _agrees(drawing, drawing.suggested_label, drawing.suggested_not_a_digit)
    transaction.on_commit(lambda: FEEDBACK.labels(kind, _flag(agrees)).inc())


def record_confirmation(drawing: Drawing) -> None:
    """Counts the staff confirmation just saved on `drawing`, or its removal, on commit."""
    if drawing.confirmed_not_a_digit:
        kind, agrees = NOT_A_DIGIT, _agrees(drawing, None, True)
    elif drawing.confirmed_label is not None:
        kind, agrees = LABEL, _agrees(drawing, drawing.confirmed_label, False)
    else:
        kind, agrees = CLEARED, None
    transaction.on_commit(lambda: CONFIRMATIONS.labels(kind, _flag(agrees)).inc())


def observe_model_load(seconds: float) -> None:
    """A model file checked and loaded (failed loads are logged at ERROR instead)."""
    MODEL_LOAD_SECONDS.observe(seconds)


@contextmanager
def job_timer(job: str) -> Iterator[None]:
    """Observes a train/retrain run's duration, and counts it as failed if it raises (Django's command
    line exits 1 on a CommandError). A clean SystemExit (`--help`, `--version`) is no run at all."""
    started = time.perf_counter()
    try:
        yield
    except SystemExit as exit_:
        if exit_.code not in (None, 0):
            _job_failed(job, started)
        raise
    except BaseException:
        _job_failed(job, started)
        raise
    JOB_SECONDS.labels(job).observe(time.perf_counter() - started)


def _job_failed(job: str, started: float) -> None:
    JOB_SECONDS.labels(job).observe(time.perf_counter() - started)
    JOB_FAILURES.labels(job).inc()


def _count_predictions(drawings: list[Drawing]) -> None:
    for drawing in drawings:
        version = drawing.model_version.name
        PREDICTIONS.labels(version, str(drawing.predicted_digit), _flag(drawing.is_digit)).inc()
        CONFIDENCE.labels(version).observe(drawing.confidence)


def _agrees(drawing: Drawing, label: int | None, not_a_digit: bool) -> bool:
    """Whether a verdict (a digit, or "not a digit") is what the model said about the drawing."""
    if not_a_digit:
        return drawing.is_digit is False
    return label == drawing.predicted_digit and drawing.is_digit is not False


def _flag(value: bool | None) -> str:
    return "unknown" if value is None else str(bool(value)).lower()
