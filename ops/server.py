"""The production server (ops.serve_prod → gunicorn) as a child process on a free loopback port.

Used by the load test and the concurrent-write test, so both exercise exactly what `make serve-prod`
runs. Its output goes to a log file, read back to check for errors such as "database is locked".
`make bench` also starts the floor app (FloorServer: ops/bench_floor.py under the same gunicorn
settings) and `make run`'s development server (DevServer: ops/dev_server.py) the same way.
"""
import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# All test traffic comes from one address, so the per-IP anonymous rates would refuse most of it.
UNTHROTTLED = {"DIGITS_ANON_PREDICT_RATE": "", "DIGITS_ANON_FEEDBACK_RATE": ""}
# Set by the browser tests for their own process; `check --deploy` rightly refuses to start with it.
NOT_FOR_SERVERS = {"DJANGO_ALLOW_ASYNC_UNSAFE"}


def isolated_env(*, database_url: str, var_dir: Path) -> dict[str, str]:
    """A server of its own: its database and var dir, a throwaway SECRET_KEY, throttling and access log off."""
    inherited = {k: v for k, v in os.environ.items() if k not in NOT_FOR_SERVERS}
    return {
        **inherited,
        **UNTHROTTLED,
        "DATABASE_URL": database_url,
        "VAR_DIR": str(var_dir),
        "SECRET_KEY": os.urandom(32).hex(),
        "GUNICORN_ACCESS_LOG": "",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`with Server(env, log_path=...) as server:` → serving at `server.port` until the block ends."""

    ready_path = "/health"

    def __init__(self, env: Mapping[str, str], *, log_path: Path, workers: int = 2, startup_timeout: float = 120):
        self.port = free_port()
        self.env = {**env, "HOST": HOST, "PORT": str(self.port), "WEB_CONCURRENCY": str(workers)}
        self.log_path = log_path
        self.startup_timeout = startup_timeout
        self.process: subprocess.Popen | None = None

    def command(self) -> list[str]:
        raise NotImplementedError

    def ready(self, status: int) -> bool:
        """Whether an answer to GET `ready_path` with this status means the server is serving."""
        return status == 200

    def __enter__(self):
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(self.command(), cwd=REPO, env=self.env, stdout=log, stderr=log)
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        """SIGTERM: gunicorn lets workers finish their request, then exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited ({self.process.returncode}):\n{self.log()[-3000:]}")
            conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
            try:
                conn.request("GET", self.ready_path)
                if self.ready(conn.getresponse().status):
                    return
            except OSError:
                pass
            finally:
                conn.close()
            time.sleep(0.25)
        raise RuntimeError(f"the server did not become healthy in {self.startup_timeout:.0f} s:\n{self.log()[-3000:]}")


class ProductionServer(ServerProcess):
    """`make serve-prod`. /health loads the active model in the worker that answers (unless the master
    already did: ops/serve_prod_warmup.py)."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "ops.serve_prod"]


class FloorServer(ServerProcess):
    """The bench's floor app (ops/bench_floor.py) under serve-prod's gunicorn settings."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--config", "python:ops.gunicorn_conf", "ops.bench_floor"]

    def ready(self, status: int) -> bool:
        return status == 400  # it answers every GET so: there is no image in it


class DevServer(ServerProcess):
    """`make run`'s web server (ops/dev_server.py), without the auto-reloader; `workers` is ignored."""

    def command(self) -> list[str]:
        return [sys.executable, "-m", "ops.dev_server", "--noreload", f"{HOST}:{self.port}"]
