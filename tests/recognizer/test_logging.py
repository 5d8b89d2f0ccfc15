"""Predictions and rejections are logged as structured events, never with image bytes; every line of a
request carries its id; a bad Host is a warning; JSON by default, plain text on request."""
import base64
import io
import json
import logging
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from digitsite.logconfig import logging_config
from digitsite.logformat import JsonFormatter
from digitsite.logtext import TextFormatter

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]


def events(caplog, name: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.getMessage() == name]


def test_each_prediction_is_logged_with_its_facts(api_client, digit_image, caplog):
    caplog.set_level(logging.INFO)
    body = api_client.post("/api/predictions/", {"image": base64.b64encode(digit_image(1)).decode()}).json()

    [record] = events(caplog, "prediction")
    assert record.drawing_id == body["id"] and record.digit == body["prediction"]
    assert record.model_version == body["model_version"] and record.latency_ms > 0
    assert 0 < record.confidence <= 1
    line = JsonFormatter().format(record)
    assert json.loads(line)["drawing_id"] == body["id"]
    assert "iVBOR" not in line  # no PNG bytes, base64 or otherwise


def test_each_rejected_request_is_logged_with_its_reason(api_client, blank_png, caplog):
    caplog.set_level(logging.INFO)
    api_client.post("/api/predictions/", {"image": base64.b64encode(blank_png).decode()})

    [record] = events(caplog, "request rejected")
    assert record.status == 400 and record.reason == "no digit found in the drawing"
    assert record.path == "/api/predictions/"


def test_rejections_never_echo_a_long_hostile_value(api_client, caplog):
    caplog.set_level(logging.INFO)
    response = api_client.post("/api/predictions/", {"image": "%%%", "source": "x" * 100_000})

    [record] = events(caplog, "request rejected")
    assert record.reason == response.json()["error"]
    assert record.reason.startswith("image: not valid base64; source:") and len(record.reason) <= 300


# --- what operators read: levels, request ids, JSON or text -------------------------------------------


@pytest.fixture
def console():
    """What the configured console handler writes (its real filter and formatter), one entry per line."""
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def json_lines(console) -> list[dict]:
    return [json.loads(line) for line in console.getvalue().splitlines() if line.startswith("{")]


def test_a_bad_host_header_is_a_warning_without_a_traceback(client, console, caplog):
    response = client.get("/", HTTP_HOST="attacker.example")

    assert response.status_code == 400
    [record] = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert record.levelname == "WARNING" and record.exc_info is None
    [line] = [entry for entry in json_lines(console) if entry["logger"] == "django.security.DisallowedHost"]
    assert line["level"] == "WARNING" and "attacker.example" in line["event"]
    assert "exception" not in line and "Traceback" not in console.getvalue()


def test_a_bad_host_header_is_not_logged_when_django_logs_errors_only(client, caplog):
    django_logger = logging.getLogger("django")
    level = django_logger.level
    django_logger.setLevel(logging.ERROR)  # DJANGO_LOG_LEVEL=ERROR
    try:
        client.get("/", HTTP_HOST="attacker.example")
    finally:
        django_logger.setLevel(level)

    assert not [r for r in caplog.records if r.name == "django.security.DisallowedHost"]


def test_every_log_line_of_a_request_carries_its_id(api_client, blank_png, console):
    response = api_client.post("/api/predictions/", {"image": base64.b64encode(blank_png).decode()})

    request_id = response["X-Request-ID"]
    lines = json_lines(console)
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    assert {line["event"] for line in lines} >= {"request rejected", "Bad Request: /api/predictions/"}
    assert {line["request_id"] for line in lines} == {request_id}  # Django's own 4xx line, logged after the middleware, too


def test_a_sane_incoming_request_id_is_kept(api_client, digit_image, console):
    response = api_client.post(
        "/api/predictions/", {"image": base64.b64encode(digit_image(5)).decode()}, HTTP_X_REQUEST_ID="lb-7f3a.42:9"
    )

    assert response["X-Request-ID"] == "lb-7f3a.42:9"
    [line] = [line for line in json_lines(console) if line["event"] == "prediction"]
    assert line["request_id"] == "lb-7f3a.42:9"


@pytest.mark.parametrize("incoming", ["x" * 129, "two words", "id\"quote", "-leading-dash", "évé", ""])
def test_an_insane_incoming_request_id_is_replaced(client, incoming):
    response = client.get("/health", HTTP_X_REQUEST_ID=incoming)

    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_gets_its_own_id_and_lines_outside_requests_get_a_dash(client, console):
    first, second = (client.get("/health")["X-Request-ID"] for _ in range(2))
    logging.getLogger("recognizer.test").warning("outside any request")

    assert first != second
    assert json_lines(console)[-1]["request_id"] == "-"


def test_text_lines_carry_the_same_facts_as_json(api_client, digit_image, console):
    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    json_formatter, handler.formatter = handler.formatter, TextFormatter()
    try:
        response = api_client.post("/api/predictions/", {"image": base64.b64encode(digit_image(2)).decode()})
    finally:
        handler.formatter = json_formatter

    body = response.json()
    [line] = [line for line in console.getvalue().splitlines() if " prediction " in line]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d INFO recognizer\.services \[[0-9a-f]{32}\] prediction ", line)
    assert f"[{response['X-Request-ID']}]" in line
    assert f"drawing_id={body['id']} digit={body['prediction']} " in line
    assert not line.startswith("{")


def test_text_fields_that_would_be_ambiguous_are_quoted():
    record = logging.makeLogRecord({"msg": "request rejected", "levelname": "INFO", "name": "x",
                                    "reason": 'not "an" image', "path": "/api/", "empty": "", "status": 400})

    line = TextFormatter().format(record)

    assert line.endswith('[-] request rejected reason="not \\"an\\" image" path=/api/ empty="" status=400')


@pytest.mark.parametrize("log_format, formatter", [("json", JsonFormatter), ("text", TextFormatter), ("", JsonFormatter)])
def test_log_format_chooses_the_console_formatter(log_format, formatter):
    config = logging_config(log_format=log_format, level="INFO", django_level="WARNING")

    chosen = config["handlers"]["console"]["formatter"]
    assert config["formatters"][chosen]["()"] == f"{formatter.__module__}.{formatter.__name__}"


def test_an_unknown_log_format_is_refused_by_name():
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT must be one of json, text, not 'xml'"):
        logging_config(log_format="xml", level="INFO", django_level="WARNING")


LOG_ONE_LINE = (
    "import django, logging; django.setup(); "
    "logging.getLogger('recognizer.demo').warning('model file not loadable', extra={'model_version': 'v1'})"
)


@pytest.mark.server  # starts a Django process: LOG_FORMAT is read once, at start
@pytest.mark.parametrize("log_format", ["json", "text"])
def test_the_log_format_variable_is_what_a_process_prints(log_format):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "digitsite.settings", "LOG_FORMAT": log_format}
    result = subprocess.run([sys.executable, "-c", LOG_ONE_LINE], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    [line] = result.stderr.splitlines()
    if log_format == "json":
        assert json.loads(line) | {"time": None} == {
            "time": None, "level": "WARNING", "logger": "recognizer.demo", "event": "model file not loadable",
            "model_version": "v1", "request_id": "-",
        }
    else:
        assert line.split(" ", 1)[1] == "WARNING recognizer.demo [-] model file not loadable model_version=v1"
