"""DATABASE_URL → Django's DATABASES["default"], tuned per engine.

SQLite runs in WAL mode with a busy timeout and IMMEDIATE transactions: several gunicorn workers
writing drawings at once then queue for the write lock instead of failing with "database is locked"
(a DEFERRED transaction that reads first cannot wait for the lock when it later upgrades to write).
"""
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

SQLITE_BUSY_TIMEOUT_S = 20
EXAMPLES = "postgres://USER:PASSWORD@HOST:5432/NAME or sqlite:////absolute/path/db.sqlite3"


def database_from_url(url: str, *, conn_max_age: int) -> dict:
    try:
        config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=conn_max_age > 0)
    except ValueError as err:
        # Never echo the URL itself: it usually carries a password.
        reason = str(err).split(". ")[0]
        raise ImproperlyConfigured(f"DATABASE_URL is not a valid database URL ({reason}); use e.g. {EXAMPLES}") from None
    if config["ENGINE"] != "django.db.backends.sqlite3" and not config.get("NAME"):
        raise ImproperlyConfigured(f"DATABASE_URL names no database; use e.g. {EXAMPLES}")
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not config.get("NAME") or config["NAME"] == ":memory:":
            raise ImproperlyConfigured(f"DATABASE_URL names no SQLite file; use e.g. {EXAMPLES}")
        Path(config["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        config["OPTIONS"] = {
            "timeout": SQLITE_BUSY_TIMEOUT_S,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
            **config.get("OPTIONS", {}),
        }
    return config
