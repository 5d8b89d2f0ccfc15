"""Throwaway PostgreSQL and Redis servers on spare loopback ports, for tests that stop and restart them.

The machine's own servers (5432, 6379) are never touched. PostgreSQL's `initdb` refuses to run as
root, so every PostgreSQL command runs as the `postgres` user, in a directory that user owns under
/tmp (pytest's tmp_path is root-only). Durability is off (`fsync=off`, no Redis persistence): these
hold test data for a minute.
"""
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

from ops.server import HOST, free_port

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_USER = "postgres"
STARTUP_TIMEOUT_S = 30


def _as_postgres(*command: str) -> subprocess.CompletedProcess:
    """Runs a PostgreSQL command as the postgres user; its output is kept for the error message."""
    result = subprocess.run(["runuser", "-u", PG_USER, "--", *command], capture_output=True, text=True, timeout=60)
    if result.returncode:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return result


class PostgresInstance:
    """`with PostgresInstance() as pg:` an initialised cluster, running; `pg.stop()` / `pg.start()` at will."""

    def __init__(self):
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="digits-pg-"))
        self.data = self.root / "data"
        self.logfile = self.root / "postgres.log"

    def __enter__(self) -> "PostgresInstance":
        shutil.chown(self.root, user=PG_USER, group=PG_USER)
        try:
            _as_postgres(str(PG_BIN / "initdb"), "-D", str(self.data), "-U", PG_USER, "-A", "trust", "--no-sync", "-E", "UTF8")
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def start(self) -> None:
        """Returns once the server accepts connections (pg_ctl -w)."""
        options = f"-p {self.port} -k {self.root} -c listen_addresses={HOST} -c fsync=off"
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.logfile),
                     "-w", "-t", str(STARTUP_TIMEOUT_S), "start")

    def stop(self) -> None:
        """Fast shutdown: open connections are cut, as when the server crashes or is restarted."""
        _as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def url(self, database: str, *, password: str = "") -> str:
        """Trust authentication ignores the password; a test can still check that none is ever logged."""
        credentials = f"{PG_USER}:{password}" if password else PG_USER
        return f"postgres://{credentials}@{HOST}:{self.port}/{database}"

    def create_database(self, name: str) -> None:
        with psycopg.connect(self.url("postgres"), autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(["runuser", "-u", PG_USER, "--", str(PG_BIN / "pg_ctl"), "-D", str(self.data),
                            "-m", "immediate", "-w", "stop"], capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


class RedisInstance:
    """`with RedisInstance() as r:` a redis-server of its own, no persistence; `r.stop()` / `r.start()` at will."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "RedisInstance":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        """Returns once it answers PING: an empty Redis, as after a restart without persistence."""
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", HOST, "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while not self._answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"redis-server on port {self.port} did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2)

    def _answers(self) -> bool:
        try:
            return bool(self.client().ping())
        except redis.ConnectionError:
            return False
