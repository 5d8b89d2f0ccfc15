"""A request id on every log line of a request, and in its `X-Request-ID` response header.

The middleware takes the id a proxy or client sent in `X-Request-ID` when it is a sane token (letters,
digits and `._:-`, at most 128 characters), else makes one, and holds it in a context variable for the
request's duration; the logging filter copies it onto each record as `request_id`. Django logs 4xx and
5xx responses after the middleware has returned; those records carry the request itself, and the filter
reads the id from it. Lines logged outside any request get "-".
"""
import re
import uuid
from contextvars import ContextVar
from logging import Filter, LogRecord

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
NO_REQUEST = "-"
SANE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

_current: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    """The id of the request being handled in this thread or task, if any."""
    return _current.get()


def request_id_for(incoming: str | None) -> str:
    """The client's id if it is a sane token, else a fresh one (32 hex digits)."""
    if incoming and SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """First in MIDDLEWARE, so every other middleware's log lines carry the id."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.request_id = request_id_for(request.headers.get(HEADER))
        token = _current.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request.request_id
        return response


class RequestIdFilter(Filter):
    """Sets `record.request_id` (on a handler, so it applies to every logger's records)."""

    def filter(self, record: LogRecord) -> bool:
        request_id = current_request_id() or getattr(getattr(record, "request", None), "request_id", None)
        record.request_id = request_id or NO_REQUEST
        return True
