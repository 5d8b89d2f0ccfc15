"""The LOGGING setting: one console handler, JSON lines (the default) or plain text, request ids.

A request with a Host header outside ALLOWED_HOSTS is a fact about the client (scanners, stale DNS), not
a fault in the site, so Django's `django.security.DisallowedHost` record is logged at WARNING without a
traceback instead of at ERROR with one.
"""
import logging

from django.core.exceptions import ImproperlyConfigured

FORMATTERS = {"json": "digitsite.logformat.JsonFormatter", "text": "digitsite.logtext.TextFormatter"}
DEFAULT_FORMAT = "json"
DISALLOWED_HOST_LOGGER = "django.security.DisallowedHost"
# Libraries whose INFO lines are progress chatter (TensorFlow's "Assets written to: /tmp/..." during an
# export in `manage.py train`); their warnings and errors still show.
WARNINGS_ONLY = ("tensorflow", "absl")


def logging_config(*, log_format: str, level: str, django_level: str) -> dict:
    """A dictConfig for settings.LOGGING; `log_format` is "json" or "text" (else ImproperlyConfigured)."""
    log_format = log_format.strip().lower() or DEFAULT_FORMAT
    if log_format not in FORMATTERS:
        raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(FORMATTERS)}, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "digitsite.request_id.RequestIdFilter"},
            "as_warning_without_traceback": {"()": "digitsite.logconfig.AsWarningWithoutTraceback"},
        },
        "formatters": {name: {"()": path} for name, path in FORMATTERS.items()},
        "handlers": {
            "console": {"class": "logging.StreamHandler", "formatter": log_format, "filters": ["request_id"]},
        },
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {
            "django": {"level": django_level.upper()},
            DISALLOWED_HOST_LOGGER: {"filters": ["as_warning_without_traceback"]},
            **{name: {"level": "WARNING"} for name in WARNINGS_ONLY},
        },
    }


class AsWarningWithoutTraceback(logging.Filter):
    """Turns a logger's records into WARNINGs without exception info (a filter on the logger itself, so
    it runs before any handler sees the record); still drops them if that logger would not log a WARNING."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info, record.exc_text = None, None
        return logging.getLogger(record.name).isEnabledFor(logging.WARNING)
