"""What /health reports: the database answers, Redis answers (when used), the active model loads. Reads only.

The HTTP status answers a load balancer's question, "can this server serve predictions?": 503 when
the database is down or no model loads. The body names each dependency for monitors: "database", and
"cache" when the cache is Redis (REDIS_URL), each "ok" or "error". A Redis outage alone leaves /health
at 200: the throttles fail open (digitsite/caches.py), so predictions go on, and since every server
shares the one Redis, a 503 would make a balancer drop all of them at once, turning a lost rate limit
into a lost site.
"""
import logging

from django.conf import settings
from django.db import Error as DatabaseError
from django.utils.translation import gettext
from django_redis import get_redis_connection
from redis.exceptions import RedisError

from digitsite.caches import REDIS_CACHE
from recognizer import error_messages
from recognizer.exceptions import ModelUnavailable
from recognizer.outages import redact
from recognizer.predictors import predictor_for
from recognizer.selectors import model_version_get_active

logger = logging.getLogger(__name__)


def health_status() -> dict:
    """Loading the model here warms the worker up, so the first drawing is not the slow one."""
    status = {"status": "ok", "model_loaded": False, "model_version": None, "database": "ok", **cache_state()}
    try:
        return {**status, **_model_state()}
    except DatabaseError as err:  # django.db.Error: InterfaceError (connection closed) is not a DatabaseError
        logger.error("health: database unavailable", extra={"dependency": "database", "reason": redact(str(err))})
        return {**status, "status": "error", "database": "error", "error": gettext("database unavailable")}


def _model_state() -> dict:
    """The active version's name and whether it loads; reads the database (its row, then its report)."""
    version = model_version_get_active()
    if version is None:
        return {"status": "error", "error": gettext("no model version is active")}
    try:
        predictor_for(version)
    except ModelUnavailable as err:
        return {"status": "error", "model_version": version.name, "error": error_messages.translate(str(err.detail))}
    return {"model_version": version.name, "model_loaded": True}


def cache_state() -> dict:
    """{"cache": "ok" | "error"} with Redis, pinged directly (its cache calls swallow errors:
    IGNORE_EXCEPTIONS); {} with the file or memory cache, which are this machine's own."""
    if settings.CACHES["default"]["BACKEND"] != REDIS_CACHE:
        return {}
    try:
        get_redis_connection("default").ping()
    except RedisError as err:
        logger.error("health: cache unavailable", extra={"dependency": "cache", "reason": redact(str(err))})
        return {"cache": "error"}
    return {"cache": "ok"}
