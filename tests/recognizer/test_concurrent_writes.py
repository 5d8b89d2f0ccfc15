"""Clients posting at once through the production server: gunicorn with 2 workers, on this pass's
database engine (SQLite under `make test`, PostgreSQL under `make test-postgres`).

Every request must be answered, every success stored exactly once, and the server must never log
"database is locked" (SQLite's WAL, busy timeout and IMMEDIATE transactions are what prevent it).
"""
import os

from django.conf import settings

from ml.canvas import canvas_png
from ops import traffic
from ops.databases import fresh_database, stored_drawing_ids
from ops.server import HOST, ProductionServer, isolated_env

REQUESTS = 64
CONCURRENCY = 8


def this_pass() -> tuple[str, str]:
    """The kind of database the suite runs on, and its server's URL (for PostgreSQL)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return "sqlite", ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return "postgres", f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def test_concurrent_predictions_are_each_stored_exactly_once(tmp_path, mnist_test):
    images, _ = mnist_test
    bodies = [traffic.page_body(canvas_png(images[i])) for i in range(REQUESTS)]
    kind, server_url = this_pass()
    name = f"digits_concurrency_{os.getpid()}"

    with fresh_database(kind, directory=tmp_path, name=name, server=server_url) as url:
        env = isolated_env(database_url=url, var_dir=tmp_path / "var")
        with ProductionServer(env, log_path=tmp_path / "server.log", workers=2) as server:
            results, _ = traffic.send_all(
                bodies, host=HOST, port=server.port, path="/api/predictions/", concurrency=CONCURRENCY, time_limit_s=120
            )
        stored = stored_drawing_ids(env)

    assert [r.status for r in results] == [201] * REQUESTS, [(r.status, r.body, r.error) for r in results if r.status != 201]
    ids = [r.body["id"] for r in results]
    assert len(set(ids)) == REQUESTS
    assert stored == set(ids)
    log = server.log()
    assert "database is locked" not in log and "Traceback" not in log, log[-3000:]
