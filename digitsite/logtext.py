"""Plain-text log lines (LOG_FORMAT=text): the JSON format's facts, one line each, for a terminal.

    2026-11-24T03:52:41 INFO recognizer.services [3f2a9c...] prediction drawing_id=d54b... digit=7

The fields a record was logged with (`extra={...}`) follow the message as key=value; a value with a
space, quote or `=` in it, or an empty one, is quoted as JSON, so a line always splits back unambiguously.
"""
import json
import logging

# Attributes every LogRecord has; anything else on a record came from `extra=` (or a filter).
STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}
# Shown elsewhere on the line (request_id), or an object with no useful one-line form (request).
NOT_AS_FIELDS = {"request_id", "request"}
NEEDS_QUOTES = (" ", "\t", "\n", '"', "=")


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        head = (
            f"{self.formatTime(record, '%Y-%m-%dT%H:%M:%S')} {record.levelname} {record.name} "
            f"[{getattr(record, 'request_id', '-')}] {record.getMessage()}"
        )
        fields = [f"{key}={_text(value)}" for key, value in vars(record).items() if _is_field(key)]
        line = " ".join([head, *fields])
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def _is_field(key: str) -> bool:
    return key not in STANDARD and key not in NOT_AS_FIELDS


def _text(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    if text == "" or any(mark in text for mark in NEEDS_QUOTES):
        return json.dumps(text)
    return text
