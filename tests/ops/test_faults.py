"""The production server while its PostgreSQL or Redis is stopped, and after it comes back.

Real servers throughout (tests/ops/instances.py): a PostgreSQL or Redis of the test's own on a spare
port, and `ops.serve_prod` (gunicorn, 2 workers) pointed at it. The server is never restarted: what
works again after the database or Redis does, came back by itself.
"""
import http.client
import json

import pytest

from ml.canvas import canvas_png
from ops import traffic
from ops.databases import fresh_database
from ops.server import HOST, ProductionServer, isolated_env
from tests.ops.instances import PostgresInstance, RedisInstance

pytestmark = pytest.mark.slow  # each test starts a server (~15-30 s)

PASSWORD = "never-logged-7f3a"  # in DATABASE_URL; trust authentication ignores it
TRIES = 4  # requests per phase: with 2 workers, each likely answers some


def call(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
    """(status, headers, decoded JSON or raw text) of one request on a new connection."""
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        raw = response.read().decode(errors="replace")
        content_type = response.getheader("Content-Type", "")
        return response.status, response, json.loads(raw) if "json" in content_type else raw
    finally:
        conn.close()


def predict(port: int, body: bytes, path: str = "/predict"):
    return call(port, "POST", path, body, {"Content-Type": "application/json"})


def log_records(server: ProductionServer) -> list[dict]:
    """The server's JSON log lines (gunicorn's own lines are plain text)."""
    return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]


@pytest.fixture
def body(mnist_test) -> bytes:
    images, _ = mnist_test
    return traffic.page_body(canvas_png(images[0]))


def test_postgres_down_gives_503s_health_names_it_and_service_resumes_by_itself(tmp_path, body):
    with PostgresInstance() as pg:
        pg.create_database("digits")
        env = isolated_env(database_url=pg.url("digits", password=PASSWORD), var_dir=tmp_path / "var")
        with ProductionServer(env, log_path=tmp_path / "server.log", workers=2) as server:
            assert [predict(server.port, body)[0] for _ in range(TRIES)] == [200] * TRIES

            pg.stop()
            answers = [predict(server.port, body, path) for path in ["/predict", "/api/predictions/"] * (TRIES // 2)]
            health_status, _, health = call(server.port, "GET", "/health")
            admin_status, admin, admin_page = call(server.port, "GET", "/admin/", headers={"Cookie": "sessionid=" + "x" * 32})

            pg.start()
            after = [predict(server.port, body)[0] for _ in range(TRIES)]
            health_after = call(server.port, "GET", "/health")
            log, records = server.log(), log_records(server)

    for status, response, answer in answers:
        assert status == 503
        assert answer == {"status": "error", "error": "the database is unavailable; try again later"}
        assert response.getheader("Retry-After") == "10"
    assert health_status == 503 and health["database"] == "error" and health["status"] == "error"
    assert admin_status == 503 and "database is unavailable" in admin_page and admin.getheader("Retry-After") == "10"
    assert after == [200] * TRIES
    assert health_after[0] == 200 and health_after[2]["database"] == "ok"

    outages = [r for r in records if r["event"] == "database unavailable"]
    assert len(outages) == len(answers) + 1  # once per failed request: the API ones and the admin page
    assert all(r["level"] == "ERROR" and r["reason"] for r in outages)
    assert [r["level"] for r in records if r["event"] == "health: database unavailable"] == ["ERROR"]
    assert not [r for r in records if r["logger"] == "django.request" and r["status_code"] >= 500]  # no second line
    assert "Traceback" not in log and PASSWORD not in log


def test_redis_down_leaves_predictions_unthrottled_health_names_it_and_redis_is_used_again(tmp_path, body):
    with RedisInstance() as redis_server, fresh_database("sqlite", directory=tmp_path, name="faults") as url:
        env = {
            **isolated_env(database_url=url, var_dir=tmp_path / "var"),
            "REDIS_URL": redis_server.url,
            "DIGITS_ANON_PREDICT_RATE": "1000/min",  # on, so every prediction goes through the cache
        }
        with ProductionServer(env, log_path=tmp_path / "server.log", workers=2) as server:
            assert predict(server.port, body)[0] == 200
            assert redis_server.client().keys("digits:*")  # the throttle's counter lives in Redis

            redis_server.stop()
            during = [predict(server.port, body)[0] for _ in range(TRIES)]
            health_status, _, health = call(server.port, "GET", "/health")

            redis_server.start()  # empty: no persistence
            after = [predict(server.port, body)[0] for _ in range(TRIES)]
            keys_after = redis_server.client().keys("digits:*")
            health_after = call(server.port, "GET", "/health")
            log, records = server.log(), log_records(server)

    assert during == [200] * TRIES  # throttles fail open: a lost rate limit must not lose the site
    assert health_status == 200 and health["cache"] == "error" and health["database"] == "ok"
    assert after == [200] * TRIES and keys_after  # counting in Redis again, without a restart
    assert health_after[0] == 200 and health_after[2]["cache"] == "ok"
    assert any(r["level"] == "ERROR" and r["event"] == "health: cache unavailable" for r in records)
    outages = [r for r in records if r["event"] == "cache unavailable"]
    assert len(outages) == TRIES  # once per request while Redis was down, though each made two cache calls
    assert all(r["level"] == "ERROR" and r["reason"] for r in outages)
    assert "Traceback" not in log
