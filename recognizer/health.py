"""What /health reports: the database answers and the active model loads. Reads only."""
import logging

from django.db import DatabaseError

from recognizer.exceptions import ModelUnavailable
from recognizer.predictors import predictor_for
from recognizer.selectors import model_version_get_active

logger = logging.getLogger(__name__)


def health_status() -> dict:
    """Loading the model here warms the worker up, so the first drawing is not the slow one."""
    status = {"status": "ok", "model_loaded": False, "model_version": None, "database": "ok"}
    try:
        version = model_version_get_active()
    except DatabaseError as err:
        logger.error("health: database unavailable", extra={"error": str(err)})
        return {**status, "status": "error", "database": "error", "error": "database unavailable"}
    if version is None:
        return {**status, "status": "error", "error": "no model version is active"}
    status["model_version"] = version.name
    try:
        predictor_for(version)
    except ModelUnavailable as err:
        return {**status, "status": "error", "error": str(err.detail)}
    return {**status, "model_loaded": True}
