"""Settings come from the environment and refuse unsafe or broken production configurations.

Each case starts a fresh interpreter, since settings are read once per process.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from digitsite.database import database_from_url

REPO = Path(__file__).resolve().parents[2]
STRONG_KEY = "k3y-" + "x9Qz!vR2#mL7pW4t" * 4


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    unset = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}  # the last: browser tests
    base = {k: v for k, v in os.environ.items() if k not in unset}
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DJANGO_SETTINGS_MODULE": "digitsite.settings", **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )


SETUP = "import django; django.setup()"


def test_production_refuses_to_start_without_a_secret_key():
    result = run(SETUP, DEBUG="false")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is false" in result.stderr


def test_a_bad_database_url_is_a_clear_error_that_hides_the_password():
    result = run(SETUP, DATABASE_URL="postgres://digits:s3cret@db:notaport/digits")

    assert result.returncode != 0
    assert "DATABASE_URL is not a valid database URL" in result.stderr
    assert "s3cret" not in result.stderr


def test_deploy_check_is_clean_in_production_mode(tmp_path):
    code = "import sys; from django.core.management import execute_from_command_line as run; "
    code += "run(['manage.py', 'check', '--deploy', '--fail-level', 'WARNING'])"
    production = {"DEBUG": "false", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "digits.example.com"}
    result = run(code, VAR_DIR=str(tmp_path), **production)  # the production cache dir goes to tmp_path

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_sqlite_runs_in_wal_mode_with_immediate_transactions(tmp_path):
    code = SETUP + (
        "; from django.db import connection; c = connection.cursor(); "
        "print(c.execute('PRAGMA journal_mode').fetchone()[0], connection.transaction_mode)"
    )
    result = run(code, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "IMMEDIATE"]


CONCURRENT_WRITERS = SETUP + """
import threading, time
from django.db import connection, transaction

connection.cursor().execute("CREATE TABLE t (x)")
errors = []

def writer():
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM t")  # a DEFERRED transaction that read cannot upgrade
            time.sleep(0.3)  # all four are inside their transaction at once
            cursor.execute("INSERT INTO t VALUES (1)")
    except Exception as err:
        errors.append(str(err))
    finally:
        connection.close()

threads = [threading.Thread(target=writer) for _ in range(4)]
[thread.start() for thread in threads]
[thread.join() for thread in threads]
print(errors or "ok", connection.cursor().execute("SELECT count(*) FROM t").fetchone()[0])
"""


def test_sqlite_writers_queue_for_the_lock_instead_of_failing(tmp_path):
    result = run(CONCURRENT_WRITERS, DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["ok", "4"]  # with DEFERRED: three "database is locked", one row


def test_sqlite_gets_a_busy_timeout_and_its_directory(tmp_path):
    config = database_from_url(f"sqlite:///{tmp_path / 'new' / 'db.sqlite3'}", conn_max_age=0)

    assert config["OPTIONS"]["timeout"] >= 5
    assert (tmp_path / "new").is_dir()


SHARED_CACHE = SETUP + (
    "; import os; from django.core.cache import cache"
    "; cache.set('k', 'set by another process') if os.environ['STEP'] == 'set' else print(cache.get('k'))"
)


def test_production_worker_processes_share_one_cache(tmp_path):
    """Throttle counters live in the cache: per-process memory would give each worker its own budget."""
    production = {"DEBUG": "false", "SECRET_KEY": STRONG_KEY, "VAR_DIR": str(tmp_path)}
    assert run(SHARED_CACHE, STEP="set", **production).returncode == 0
    result = run(SHARED_CACHE, STEP="get", **production)

    assert result.stdout.strip() == "set by another process", result.stderr


def test_a_database_url_naming_no_database_is_a_clear_error():
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL names no database"):
        database_from_url("postgres://digits@db.internal:5432/", conn_max_age=0)


def test_postgres_urls_are_used_as_given():
    config = database_from_url("postgres://digits:pw@db.internal:5432/digits", conn_max_age=60)

    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["NAME"], config["CONN_MAX_AGE"]) == ("db.internal", "digits", 60)


@pytest.mark.parametrize("name, value", [("DEBUG", "maybe"), ("DIGITS_MAX_BATCH", "lots")])
def test_malformed_values_name_the_variable(name, value):
    result = run(SETUP, **{name: value})

    assert result.returncode != 0 and name in result.stderr


def test_web_code_never_imports_tensorflow():
    code = SETUP + (
        "; import sys, numpy as np; import recognizer.urls, recognizer.admin, recognizer.services"
        "; from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL; from ml.predictor import Predictor"
        "; Predictor(SHIPPED_DIR / TFLITE_MODEL).predict(np.zeros((28, 28), 'float32'))"
        "; print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    result = run(code)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
