"""`make run`: the development web server and a job worker side by side; Ctrl-C stops both.

The worker (`manage.py db_worker`, or `rqworker` with TASKS_BACKEND=rq) runs WITHOUT auto-reload, so
saving a file restarts only runserver and never kills a training in progress. Arguments are passed to
runserver (default 127.0.0.1:8000), which runs as `ops.dev_server`: Django's runserver with TCP_NODELAY
on its connections, so keep-alive clients get their answers without a ~40 ms stall (see that module).
"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WORKERS = {
    "database": ["db_worker", "--no-reload"],
    "rq": ["rqworker", "--job-class", "django_tasks_rq.Job", "default"],
}


def worker_command(backend: str) -> list[str]:
    if backend not in WORKERS:
        sys.exit(f"TASKS_BACKEND must be one of {', '.join(WORKERS)}, not {backend!r}")
    return [sys.executable, "manage.py", *WORKERS[backend]]


def web_command(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "ops.dev_server", *(argv or ["127.0.0.1:8000"])]


def main(argv: list[str]) -> int:
    worker = subprocess.Popen(worker_command(os.environ.get("TASKS_BACKEND", "database")), cwd=REPO)
    web = subprocess.Popen(web_command(argv), cwd=REPO)
    try:
        while worker.poll() is None and web.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for process in (web, worker):  # SIGINT: the worker finishes its current task's step, then exits
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
        for process in (web, worker):
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    return web.returncode or worker.returncode or 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
