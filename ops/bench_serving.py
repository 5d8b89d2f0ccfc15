"""Serving measured over real HTTP on loopback, for `make bench` (ml/bench.py prints the tables).

- serve-prod (ops.serve_prod: gunicorn, 2 sync workers, a fresh SQLite database, every drawing stored)
  against the floor app (ops/bench_floor.py: decode, shrink, the same LiteRT model, nothing stored)
  under the same gunicorn settings: requests alternate between the two servers, one at a time, each on
  a new connection (sync workers close it), so a busy second of a shared machine hits both alike;
- the memory of their processes (RSS, and PSS, which splits pages shared after gunicorn's fork), and
  of the site under a fresh gunicorn without preloading, each worker importing and loading everything
  itself, as `make serve-prod` ran it before (GunicornWithoutPreload);
- the time from starting `ops.serve_prod` to its first stored prediction, on a fresh install and on a
  restart;
- `make run`'s web server against Django's own runserver: a client keeping its connection open
  (`http.client`, as `requests.Session` and browsers do) against a new connection per request.

The request is the page's: JSON with a canvas PNG of an MNIST test digit as a data: URL (many digits,
cycled). No TensorFlow here; servers log to files under a temporary directory.
"""
from __future__ import annotations

import http.client
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from digitsite import multiproc
from ops.server import HOST, REPO, DevServer, FloorServer, ProductionServer, ServerProcess, isolated_env

PREDICT = "/api/predictions/"
NUMBERS = "/api/numbers/"


@dataclass(frozen=True)
class Latency:
    """Milliseconds per request, as the client saw them (connect to the last byte of the answer)."""

    values: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.values)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.values, n=20, method="inclusive")[18]


def post(port: int, body: bytes, path: str, conn: http.client.HTTPConnection | None = None) -> float:
    """One POST, on `conn` (kept open) or on a new connection; returns seconds. A non-2xx answer raises."""
    started = time.perf_counter()
    own = conn is None
    conn = conn or http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        conn.request("POST", path, body=body, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
    finally:
        if own:
            conn.close()
    elapsed = time.perf_counter() - started
    if not 200 <= response.status < 300:
        raise RuntimeError(f"POST {path} on port {port} answered {response.status}")
    return elapsed


def alternate(targets: dict[str, tuple[int, str, list[bytes]]], rounds: int) -> dict[str, Latency]:
    """`rounds` requests to each target {name: (port, path, bodies)}, taking turns, each on a new
    connection; round i sends each target its bodies[i % len(bodies)]."""
    times = {name: [] for name in targets}
    for i in range(rounds):
        for name, (port, path, bodies) in targets.items():
            times[name].append(1000 * post(port, bodies[i % len(bodies)], path))
    return {name: Latency(values) for name, values in times.items()}


def keep_alive_against_new(port: int, bodies: list[bytes], rounds: int) -> dict[str, Latency]:
    """Turns of one request on a new connection and one on a connection kept open throughout."""
    kept = http.client.HTTPConnection(HOST, port, timeout=30)
    times = {"new connection": [], "keep-alive": []}
    try:
        post(port, bodies[0], PREDICT, kept)  # opens it
        for i in range(rounds):
            body = bodies[i % len(bodies)]
            times["new connection"].append(1000 * post(port, body, PREDICT))
            times["keep-alive"].append(1000 * post(port, body, PREDICT, kept))
    finally:
        kept.close()
    return {name: Latency(values) for name, values in times.items()}


# --- memory -------------------------------------------------------------------------------------------


def memory_mb(pid: int) -> dict[str, float]:
    """RSS (every resident page mapped, shared or not), PSS (shared pages split between their sharers) and
    private pages (USS), in MB, from /proc/<pid>/smaps_rollup."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return {"rss": fields["Rss"], "pss": fields["Pss"], "uss": fields["Private_Clean"] + fields["Private_Dirty"]}


def children(pid: int) -> list[int]:
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


def server_memory(server: ServerProcess) -> dict[str, dict[str, float]]:
    """{"master": ..., "worker 1": ..., ...} for a gunicorn server started by ops.server."""
    report = {"master": memory_mb(server.pid)}
    for number, pid in enumerate(sorted(children(server.pid)), start=1):
        report[f"worker {number}"] = memory_mb(pid)
    return report


# --- start-up -----------------------------------------------------------------------------------------


def time_to_first_prediction(env: dict[str, str], body: bytes, log_path: Path, timeout: float = 120) -> float:
    """Seconds from starting `python -m ops.serve_prod` to its first 201 for a prediction (polled every 20
    ms on new connections), then the server is stopped."""
    server = ProductionServer(env, log_path=log_path)
    started = time.perf_counter()
    with open(log_path, "ab") as log:
        server.process = subprocess.Popen(server.command(), cwd=REPO, env=server.env, stdout=log, stderr=log)
    try:
        while time.perf_counter() - started < timeout:
            if server.process.poll() is not None:
                raise RuntimeError(f"serve-prod exited ({server.process.returncode}):\n{server.log()[-3000:]}")
            try:
                post(server.port, body, PREDICT)
                return time.perf_counter() - started
            except (OSError, RuntimeError):
                time.sleep(0.02)
        raise RuntimeError(f"no prediction answered within {timeout:.0f} s:\n{server.log()[-3000:]}")
    finally:
        server.stop()


# --- the sections `make bench` prints ----------------------------------------------------------------


def bench_serve_prod(bodies: list[bytes], rounds: int, workers: int = 2, numbers: dict[str, bytes] | None = None) -> dict:
    """serve-prod against the floor, then serve-prod's memory with and without preloading; with `numbers`
    (request bodies by name), also each number (`NUMBERS`) against one digit, both stored by serve-prod:
    what a client waits for either answer."""
    with tempfile.TemporaryDirectory(prefix="digits-bench-") as tmp, ExitStack() as stack:
        tmp_dir = Path(tmp)
        env = isolated_env(database_url=f"sqlite:///{tmp_dir / 'db.sqlite3'}", var_dir=tmp_dir / "var")
        prod = stack.enter_context(ProductionServer(env, log_path=tmp_dir / "serve-prod.log", workers=workers))
        floor = stack.enter_context(FloorServer(env, log_path=tmp_dir / "floor.log", workers=workers))
        targets = {"serve-prod": (prod.port, PREDICT, bodies), "floor": (floor.port, "/", bodies)}
        alternate(targets, 2 * workers * 5)  # every worker answers a few before timing
        latency = alternate(targets, rounds)
        memory = {"serve-prod": server_memory(prod), "floor": server_memory(floor)}
        against = {"one digit": (prod.port, PREDICT, bodies),
                   **{name: (prod.port, NUMBERS, [body]) for name, body in (numbers or {}).items()}}
        number_latency = alternate(against, max(20, rounds // 4)) if numbers else {}
        stack.close()
        with GunicornWithoutPreload(env, log_path=tmp_dir / "no-preload.log", workers=workers) as lazy:
            alternate({"no preload": (lazy.port, PREDICT, bodies)}, max(2 * workers * 5, rounds // 2))
            memory["gunicorn without preload (as before)"] = server_memory(lazy)
    return {"latency": latency, "memory": memory, "rounds": rounds, "workers": workers, "numbers": number_latency}


class GunicornWithoutPreload(ServerProcess):
    """What `make serve-prod` exec'd before it preloaded: a fresh gunicorn whose workers each import and
    load the site themselves (GUNICORN_PRELOAD=false), on a database serve-prod has already prepared."""

    def __init__(self, env, **kwargs):
        from ops.serve_prod import production_env

        super().__init__({**production_env(env), "GUNICORN_PRELOAD": "false"}, **kwargs)
        metrics = Path(self.env["VAR_DIR"]) / "prometheus-no-preload"
        metrics.mkdir(parents=True, exist_ok=True)
        self.env[multiproc.ENV] = str(metrics)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "gunicorn", "--config", "python:ops.gunicorn_conf", "digitsite.wsgi"]


def bench_startup(body: bytes, restarts: int = 2) -> dict[str, float]:
    """Seconds to the first prediction: a fresh install (migrations, collectstatic), then restarts."""
    with tempfile.TemporaryDirectory(prefix="digits-bench-start-") as tmp:
        tmp_dir = Path(tmp)
        env = isolated_env(database_url=f"sqlite:///{tmp_dir / 'db.sqlite3'}", var_dir=tmp_dir / "var")
        times = {"first start (migrate, collectstatic)": time_to_first_prediction(env, body, tmp_dir / "0.log")}
        for i in range(1, restarts + 1):
            times[f"restart {i}"] = time_to_first_prediction(env, body, tmp_dir / f"{i}.log")
    return times


class DjangoRunserver(ServerProcess):
    """Django's own runserver as `manage.py runserver` ran it before ops.dev_server (the baseline)."""

    def command(self) -> list[str]:
        return [sys.executable, "manage.py", "runserver", "--noreload", f"{HOST}:{self.port}"]


def bench_keep_alive(bodies: list[bytes], rounds: int) -> dict[str, dict[str, Latency]]:
    """ops.dev_server and Django's runserver, each on a fresh database: keep-alive against new connections."""
    results = {}
    with tempfile.TemporaryDirectory(prefix="digits-bench-dev-") as tmp:
        for name, server_class in (("make run (ops.dev_server)", DevServer), ("Django runserver", DjangoRunserver)):
            var_dir = Path(tmp) / server_class.__name__
            env = {**isolated_env(database_url=f"sqlite:///{var_dir}.sqlite3", var_dir=var_dir), "DEBUG": "true",
                   "DIGITS_ANON_PREVIEW_RATE": ""}
            for command in (["migrate", "--noinput"], ["register_shipped_model"]):
                subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], cwd=REPO, env=env, check=True,
                               capture_output=True)
            with server_class(env, log_path=Path(tmp) / f"{server_class.__name__}.log") as server:
                keep_alive_against_new(server.port, bodies, 3)  # warm: model loaded, modules imported
                results[name] = keep_alive_against_new(server.port, bodies, rounds)
    return results


def stages(repeats: int) -> dict:
    """ops.bench_stages in a child process (it sets Django up with serve-prod's settings)."""
    import json

    out = subprocess.run([sys.executable, "-m", "ops.bench_stages", "--json", "--repeats", str(repeats)],
                         cwd=REPO, capture_output=True, text=True, check=True, env={**os.environ})
    return json.loads(out.stdout.strip().splitlines()[-1])
