"""Gunicorn settings for `make serve-prod` and the load test (`gunicorn -c python:ops.gunicorn_conf`).

Sync workers, one request per process at a time: a prediction is CPU work (decode, preprocess, a
LiteRT call) that threads would only queue on the GIL, and a process per worker gives each its own
interpreter (inherited from the master, copied on write). Scale with WEB_CONCURRENCY (about one worker per core).

The application is loaded once, in the master (`preload_app`), and warmed there (`when_ready`:
ops/serve_prod_warmup.py) before the workers are forked: a worker starts in milliseconds, answers its
first prediction as fast as any other, and shares its code and model pages with the master instead of
holding copies (docs/operations.md, "Serving speed and memory", has the figures). GUNICORN_PRELOAD=false
loads the application in each worker instead (then a HUP reloads application code too).
"""
import os

from digitsite.env import env_bool, env_int, env_str
from digitsite.multiproc import ENV as PROMETHEUS_MULTIPROC_DIR

bind = f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", 2)
worker_class = "sync"
preload_app = env_bool("GUNICORN_PRELOAD", True)
timeout = env_int("GUNICORN_TIMEOUT", 30)  # a prediction takes milliseconds; 30 s means a stuck worker
graceful_timeout = 10
worker_tmp_dir = "/dev/shm"  # heartbeat files in memory: a slow disk cannot make workers look dead
accesslog = env_str("GUNICORN_ACCESS_LOG", "-") or None  # "-" = stdout; empty turns it off
# gunicorn's default (combined) format, then the request id the site answered with (digitsite/request_id.py).
access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
errorlog = "-"
# gunicorn's control socket is one per user by default ($HOME/.gunicorn/gunicorn.ctl), so a second
# server (a load test beside serve-prod) would take it over; nothing here uses it.
control_socket_disable = True


def when_ready(server) -> None:
    """The master is listening and has loaded the application; no worker exists yet. (The bench's floor
    app, ops/bench_floor.py, runs under these settings too, and has nothing of Django's to warm.)"""
    if server.cfg.preload_app and str(getattr(server.app, "app_uri", "")).startswith("digitsite.wsgi"):
        from ops.serve_prod_warmup import warm_up

        warm_up()


def child_exit(server, worker) -> None:
    """A worker is gone: prometheus-client's multiprocess mode drops its live gauges (its counters and
    histograms stay, so /metrics keeps counting what it served)."""
    if os.environ.get(PROMETHEUS_MULTIPROC_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
