"""One loaded Predictor per model version per process.

Loading a model costs ~0.1 s, so it happens once; which version is *active* is still asked of the
database on every request (one indexed query), so activating another version takes effect at once
in every worker of every server, with no restart. The file comes from `recognizer.model_files`: the
version's folder when this machine has it, else this server's cache of the bytes stored in the row,
always checked against the row's checksum. Entries are keyed by the row and its checksum.
"""
import functools
import logging
import threading
import time
from collections import OrderedDict

from django.conf import settings

from ml.calibration import Calibration
from ml.numbers.lines import LineReader
from ml.predictor import SERVING_THREADS, Predictor

from recognizer import metrics, model_files
from recognizer.exceptions import ModelUnavailable
from recognizer.models import ModelVersion

logger = logging.getLogger(__name__)

KEEP = 2  # the active model and the one before it (requests in flight during a switch)
_lock = threading.Lock()
_loaded: "OrderedDict[tuple, Predictor]" = OrderedDict()


def predictor_for(version: ModelVersion) -> Predictor:
    """The version's loaded model, calibrated as its report says. The report (`metrics`, deferred by the
    request path's selector) is read only when the version is first loaded in this process."""
    # The row's identity too (a database may reuse the id of a deleted row): its calibration is the row's.
    key = (version.sha256, version.pk, version.name, version.created)
    with _lock:
        predictor = _loaded.get(key)
        if predictor is None:
            predictor = _load(version, Calibration.from_serving(version.report.serving))
            _loaded[key] = predictor
        _loaded.move_to_end(key)
        while len(_loaded) > KEEP:
            _loaded.popitem(last=False)
        return predictor


def _load(version: ModelVersion, calibration: Calibration) -> Predictor:
    """Raises ModelUnavailable (a 503 naming the reason) for a missing, corrupt or unloadable file."""
    started = time.perf_counter()
    path = model_files.tflite_path(version)
    try:
        predictor = Predictor(path, calibration=calibration, num_threads=_threads())
    except (OSError, ValueError, RuntimeError) as err:  # LiteRT's ways of refusing a bad file
        logger.error("model file not loadable", extra={"model_version": version.name, "path": str(path), "error": str(err)})
        raise ModelUnavailable(f"the model file of version {version.name} cannot be loaded") from None
    metrics.observe_model_load(time.perf_counter() - started)
    logger.info("model loaded", extra={"model_version": version.name, "path": str(path)})
    return predictor


@functools.cache
def line_reader() -> LineReader | None:
    """The number reader's line model, loaded once per process; None (numbers are then read by the digit
    model alone) when the file is missing or cannot be loaded. It is part of the code, not of a model version."""
    path = settings.DIGITS_LINE_MODEL
    try:
        return LineReader(path, num_threads=_threads())
    except (OSError, ValueError, RuntimeError) as err:
        logger.warning("line model not loaded; numbers are read without it", extra={"path": str(path), "error": str(err)})
        return None


def _threads() -> int:
    return settings.DIGITS_INFERENCE_THREADS or SERVING_THREADS
