"""Gunicorn settings for `make serve-prod` and the load test (`gunicorn -c python:ops.gunicorn_conf`).

Sync workers, one request per process at a time: a prediction is CPU work (decode, preprocess, a
LiteRT call) that threads would only queue on the GIL, and a process per worker keeps each model
copy private. Scale with WEB_CONCURRENCY (about one worker per core).
"""
import os

from digitsite.env import env_int, env_str
from digitsite.multiproc import ENV as PROMETHEUS_MULTIPROC_DIR

bind = f"{env_str('HOST', '127.0.0.1')}:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", 2)
worker_class = "sync"
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


def child_exit(server, worker) -> None:
    """A worker is gone: prometheus-client's multiprocess mode drops its live gauges (its counters and
    histograms stay, so /metrics keeps counting what it served)."""
    if os.environ.get(PROMETHEUS_MULTIPROC_DIR):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
