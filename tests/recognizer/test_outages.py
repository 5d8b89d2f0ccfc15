"""Outages in one process: what counts as one, the 503 answers, the log lines, /health with Redis.

The end-to-end cases (a real PostgreSQL or Redis stopped under a running gunicorn, then restarted) are
in tests/ops/test_faults.py; these are the fast checks of each part. Redis outages here are real: the
cache points at a port where nothing listens.
"""
import base64
import logging

import pytest
import redis
from django.db import IntegrityError, InterfaceError, OperationalError
from django.test import RequestFactory
from rest_framework.test import APIClient

from digitsite.caches import cache_config
from recognizer.exceptions import api_exception_handler
from recognizer.outages import OutageMiddleware, dependency_down, redact

NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connection refused at once
MACHINE_REDIS = "redis://127.0.0.1:6379/15"


@pytest.mark.parametrize("exc, dependency", [
    (OperationalError("connection refused"), "database"),
    (InterfaceError("connection already closed"), "database"),
    (redis.ConnectionError("Error 111 connecting"), "cache"),
    (redis.TimeoutError("Timeout reading from socket"), "cache"),
    (IntegrityError("duplicate key"), None),  # a bug, not an outage: stays a 500
    (ValueError("x"), None),
])
def test_only_lost_connections_count_as_outages(exc, dependency):
    assert dependency_down(exc) == dependency


def test_credentials_never_reach_the_log_line():
    assert redact("could not connect to postgres://digits:hunter2@db:5432/x\nDETAIL: more") == (
        "could not connect to postgres://digits:***@db:5432/x"
    )
    assert redact("host=db password=hunter2 user=digits") == "host=db password=*** user=digits"


def test_an_api_outage_is_a_503_with_retry_after_logged_once_without_traceback(caplog):
    request = RequestFactory().post("/predict")
    caplog.set_level(logging.INFO)

    response = api_exception_handler(OperationalError('connection to server at "db" failed'), {"request": request})

    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response.data == {"status": "error", "error": "the database is unavailable; try again later"}
    [record] = caplog.records
    assert (record.levelname, record.getMessage(), record.exc_info) == ("ERROR", "database unavailable", None)
    assert record.path == "/predict" and "failed" in record.reason
    assert response._has_been_logged  # so django.request does not log the 503 a second time


@pytest.mark.parametrize("path, json_answer", [("/admin/", False), ("/api/predictions/", True)])
def test_a_plain_view_outage_is_a_503_page_or_json_under_the_api(path, json_answer):
    request = RequestFactory().get(path)

    response = OutageMiddleware(lambda r: None).process_exception(request, OperationalError("gone"))

    assert response.status_code == 503 and response["Retry-After"] == "10"
    assert response["Content-Type"].startswith("application/json" if json_answer else "text/html")
    assert b"database is unavailable" in response.content


def test_other_errors_are_left_to_django():
    request = RequestFactory().get("/admin/")
    assert OutageMiddleware(lambda r: None).process_exception(request, IntegrityError("bug")) is None


@pytest.mark.django_db
def test_health_names_a_redis_outage_and_stays_200_as_predictions_go_on(settings, caplog):
    settings.CACHES = cache_config(redis_url=NOBODY_LISTENS)
    caplog.set_level(logging.ERROR)

    response = APIClient().get("/health")

    assert response.status_code == 200
    assert response.json()["cache"] == "error" and response.json()["database"] == "ok"
    assert [r.getMessage() for r in caplog.records] == ["health: cache unavailable"]


@pytest.mark.django_db
def test_health_says_redis_is_ok_when_it_answers(settings):
    connection = redis.Redis.from_url(MACHINE_REDIS, socket_connect_timeout=2)
    try:
        connection.ping()
    except redis.ConnectionError as err:
        pytest.fail(f"Redis at {MACHINE_REDIS} does not answer ({err}); this test needs it")
    settings.CACHES = cache_config(redis_url=MACHINE_REDIS)

    response = APIClient().get("/health")

    assert response.status_code == 200 and response.json()["cache"] == "ok"


@pytest.mark.django_db
def test_with_redis_down_each_prediction_logs_one_line_without_traceback(settings, caplog, digit_image):
    settings.CACHES = cache_config(redis_url=NOBODY_LISTENS)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"predict": "100/min"}}
    caplog.set_level(logging.ERROR, logger="django_redis.cache")
    body = {"image": base64.b64encode(digit_image(3)).decode()}

    statuses = [APIClient().post("/predict", body, format="json").status_code for _ in range(2)]

    redis_records = [r for r in caplog.records if r.name == "django_redis.cache"]
    assert statuses == [200, 200]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in redis_records] == [("ERROR", "cache unavailable", None)] * 2
    assert all("111" in r.reason or "refused" in r.reason.lower() for r in redis_records)
