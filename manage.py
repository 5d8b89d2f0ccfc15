#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

`train` and `retrain` (the commands that load TensorFlow) get two things more: TensorFlow imported
without its C++ start-up chatter (digitsite/quiet_tensorflow.py), and their duration and failure
recorded as Prometheus metrics (recognizer/metrics.py), in the server's metrics directory when one
exists (<VAR_DIR>/prometheus, made by `make serve-prod`), so the server's /metrics shows them.
"""
import os
import sys

TENSORFLOW_JOBS = {"train", "retrain"}


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "digitsite.settings")
    job = sys.argv[1] if len(sys.argv) > 1 and sys.argv[1] in TENSORFLOW_JOBS else None
    if job is None:
        run(sys.argv)
        return
    from digitsite.quiet_tensorflow import quiet_tensorflow

    quiet_tensorflow()
    _join_server_metrics()
    from recognizer.metrics import job_timer

    with job_timer(job):
        run(sys.argv)


def run(argv: list[str]) -> None:
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


def _join_server_metrics() -> None:
    """Before prometheus-client is imported: it reads PROMETHEUS_MULTIPROC_DIR once, at import."""
    from digitsite import multiproc

    path = multiproc.metrics_dir(os.environ)
    if path.is_dir():
        os.environ.setdefault(multiproc.ENV, str(path))


if __name__ == "__main__":
    main()
