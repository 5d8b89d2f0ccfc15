"""Latency of one prediction, measured live with each version's LiteRT predictor on this server.

Reports carry no serving latency (it depends on the machine), so the page times a few single-image calls
after one warm-up call. A version whose file cannot be loaded is "unavailable", not an error page.
"""
import statistics
import time

import numpy as np

from ml.predictor import Predictor
from recognizer.exceptions import ModelUnavailable
from recognizer.models import ModelVersion
from recognizer.predictors import predictor_for

CALLS = 7  # enough for a stable median, quick enough for a page with six versions (~1 ms a call)


def load(version: ModelVersion) -> Predictor | None:
    """The version's served predictor, or None: its file is missing or changed, or its stored report is too
    damaged to give a calibration (then `predictor_for` fails reading `serving`)."""
    try:
        return predictor_for(version)
    except (ModelUnavailable, AttributeError, TypeError, ValueError):
        return None


def p50_ms(predictor: Predictor, calls: int = CALLS) -> float:
    """Median milliseconds of one `predict` on a blank input."""
    x = np.zeros((28, 28), dtype=np.float32)
    predictor.predict(x)  # warm-up: the first call allocates the interpreter's tensors
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        predictor.predict(x)
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)
