"""Every API error as `{"status": "error", "error": "<one readable sentence>"}`.

The seed Flask API answered errors in this shape and its clients parse it, so DRF's own shapes
(`{"detail": ...}`, `{"field": [...]}`) are flattened into it, and errors DRF leaves to Django
(oversized bodies, unexpected exceptions) are caught here too: clients never get HTML or a traceback.
A database or Redis outage is a 503 with Retry-After naming what is down (recognizer/outages.py).
Messages are in the request's language (LocaleMiddleware: the language cookie, else Accept-Language);
English ones raised where they cannot be marked are translated here (recognizer/error_messages.py).
"""
import logging

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.utils.translation import gettext, gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler, set_rollback

from ml.preprocess import DrawingError
from recognizer import error_messages, outages

logger = logging.getLogger(__name__)
# DRF echoes offending values ('"xxx…" is not a valid choice'); a hostile client could send megabytes.
MAX_MESSAGE_CHARS = 300


class ModelUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("the prediction model is unavailable; try again later")
    default_code = "model_unavailable"


class DependencyUnavailable(APIException):
    """The database or Redis does not answer; `wait` becomes DRF's Retry-After header."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "dependency_unavailable"

    def __init__(self, dependency: str):
        super().__init__(outages.MESSAGES[dependency])
        self.wait = outages.RETRY_AFTER_S


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("request body too large")
    default_code = "payload_too_large"


def error_body(message: str) -> dict:
    return {"status": "error", "error": message}


def api_exception_handler(exc, context):
    dependency = outages.dependency_down(exc)
    if dependency is not None:
        return _outage_response(dependency, exc, context)
    response = exception_handler(_as_api_exception(exc), context)
    if response is None:
        logger.exception("unhandled error in API view", exc_info=exc)
        set_rollback()
        response = Response(status=status.HTTP_500_INTERNAL_SERVER_ERROR)
        message = gettext("internal error")
    else:
        message = shorten(flatten(response.data))
        _log_rejection(context, response.status_code, message)
    response.data = error_body(message)
    return response


def _outage_response(dependency: str, exc, context) -> Response:
    """Logged once here, at ERROR without a traceback; Django's own 5xx line is skipped."""
    outages.log_outage(dependency, exc, context.get("request"))
    response = exception_handler(DependencyUnavailable(dependency), context)
    response.data = error_body(str(outages.MESSAGES[dependency]))
    return outages.mark_logged(response)


def _as_api_exception(exc):
    if isinstance(exc, DrawingError):
        return ValidationError(str(exc), code="invalid_image")
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, SuspiciousOperation):  # too many fields or files in a form
        return ValidationError(str(exc) or gettext("malformed request"))
    return exc


def flatten(detail) -> str:
    """DRF error detail (str, list or dict, nested) → one line: `field: message; other: message`."""
    if isinstance(detail, dict):
        parts = []
        for key, value in detail.items():
            text = flatten(value)
            parts.append(text if key in ("detail", "non_field_errors") else f"{key}: {text}")
        return "; ".join(parts) or gettext("invalid request")
    if isinstance(detail, list):
        return "; ".join(flatten(item) for item in detail) or gettext("invalid request")
    return error_messages.translate(str(detail))


def shorten(message: str) -> str:
    return message if len(message) <= MAX_MESSAGE_CHARS else message[: MAX_MESSAGE_CHARS - 1] + "…"


def _log_rejection(context, status_code: int, reason: str) -> None:
    request = context.get("request")
    logger.log(
        logging.ERROR if status_code >= 500 else logging.INFO,
        "request rejected",
        extra={
            "status": status_code,
            "reason": reason,
            "method": getattr(request, "method", None),
            "path": getattr(request, "path", None),
        },
    )
