"""Predictions and rejections are logged as structured events, never with image bytes."""
import base64
import json
import logging

import pytest

from digitsite.logformat import JsonFormatter

pytestmark = pytest.mark.django_db


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
