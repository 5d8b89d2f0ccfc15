"""When the database or Redis stops answering: a 503 that says which, logged once, never a 500.

An outage is not a bug in the site: the request was fine and will succeed once the server is back, so
clients get 503 with `Retry-After` (the API's JSON error shape, or a short page for browsers) and the
log gets one ERROR line naming the dependency, without a traceback and without credentials. Nothing
needs restarting afterwards: Django opens a new database connection when the old one has failed
(CONN_HEALTH_CHECKS), and redis-py reconnects on the next call.

The API's views answer through recognizer/exceptions.py; OutageMiddleware covers the other views
(the admin, the drawing page). Redis errors never reach either while the throttles fail open
(digitsite/caches.py): django-redis logs and swallows them, and CacheOutageLogFilter makes that log
the same one line per request.
"""
import logging
import re
from contextvars import ContextVar

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import get_language, gettext, gettext_lazy as _
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from digitsite.request_id import current_request_id

logger = logging.getLogger(__name__)

DATABASE = "database"
CACHE = "cache"
RETRY_AFTER_S = 10  # a restarted PostgreSQL or Redis is back within seconds
MESSAGES = {  # in the request's language when shown; logs name the dependency in English
    DATABASE: _("the database is unavailable; try again later"),
    CACHE: _("the cache (Redis) is unavailable; try again later"),
}
API_PREFIXES = ("/api/", "/predict", "/health")  # answered in JSON, as recognizer/views.py does
# user:password@ in URLs, password=... in connection strings: never logged.
SECRETS = (
    (re.compile(r"(://[^:/@\s]+:)[^@\s]+@"), r"\1***@"),
    (re.compile(r"(password\s*=\s*)\S+", re.IGNORECASE), r"\1***"),
)
MAX_LOGGED_CHARS = 300


def dependency_down(exc: BaseException) -> str | None:
    """"database" or "cache" when `exc` means that server cannot be reached or has gone away, else None.

    OperationalError covers refused and dropped connections (and SQLite's "database is locked", which
    passes too); InterfaceError is a connection already closed. Other database errors are bugs: 500.
    """
    if isinstance(exc, (OperationalError, InterfaceError)):
        return DATABASE
    if isinstance(exc, (RedisConnectionError, RedisTimeoutError)):
        return CACHE
    return None


def log_outage(dependency: str, exc: BaseException, request) -> None:
    """One ERROR line per failed request, with the driver's reason (first line, secrets removed)."""
    logger.error(
        "%s unavailable",
        dependency,
        extra={
            "dependency": dependency,
            "error_type": type(exc).__name__,
            "reason": redact(str(exc)),
            "method": getattr(request, "method", None),
            "path": getattr(request, "path", None),
        },
    )


def redact(message: str) -> str:
    line = message.strip().splitlines()[0] if message.strip() else ""
    for pattern, replacement in SECRETS:
        line = pattern.sub(replacement, line)
    return line[:MAX_LOGGED_CHARS]


def mark_logged(response):
    """Django's request logger skips responses marked so: the outage line above is the only one."""
    response._has_been_logged = True
    return response


class OutageMiddleware:
    """Turns an outage raised by a plain Django view into a 503 (JSON under the API's paths).

    Sits just above RequestMetricsMiddleware in MIDDLEWARE, so the metrics still count the exception.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        dependency = dependency_down(exception)
        if dependency is None:
            return None
        log_outage(dependency, exception, request)
        return mark_logged(outage_response(request, dependency))


def outage_response(request, dependency: str) -> HttpResponse:
    message = str(MESSAGES[dependency])
    if request.path.startswith(API_PREFIXES):
        response = JsonResponse({"status": "error", "error": message}, status=503)
    else:
        title = escape(gettext("Service unavailable"))
        page = (f'<!doctype html><html lang="{escape(get_language())}"><title>{title}</title><h1>{title}</h1>'
                f"<p>{escape(message[:1].upper() + message[1:])}.</p></html>")
        response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_S)
    return response


_cache_outage_logged_for: ContextVar[str | None] = ContextVar("cache_outage_logged_for", default=None)


class CacheOutageLogFilter(logging.Filter):
    """On the `django_redis.cache` logger: its "Exception ignored" records (a traceback each, one per
    cache call, two per throttled request) become one "cache unavailable" line per request, at ERROR,
    with the reason and no traceback. Outside a request every such record is kept; others pass as they are."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info:
            return True
        exc = record.exc_info[1]
        record.msg, record.args = "%s unavailable", (CACHE,)
        record.dependency, record.reason = CACHE, redact(str(exc.__cause__ or exc))
        record.exc_info, record.exc_text = None, None
        request_id = current_request_id()
        if request_id is not None and _cache_outage_logged_for.get() == request_id:
            return False
        _cache_outage_logged_for.set(request_id)
        return True
