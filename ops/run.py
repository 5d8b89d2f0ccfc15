"""`make run`: the development web server and a job worker side by side; Ctrl-C (or SIGTERM) stops both.

The worker (`manage.py db_worker`, or `rqworker` with TASKS_BACKEND=rq) runs WITHOUT auto-reload, so
saving a file restarts only runserver and never kills a training in progress. Arguments are passed to
runserver (default 127.0.0.1:8000), which runs as `ops.dev_server`: Django's runserver with TCP_NODELAY
on its connections, so keep-alive clients get their answers without a ~40 ms stall (see that module).

The worker runs in its own process group, so a Ctrl-C in the terminal does not reach it: it gets exactly
one SIGINT, from here (a second one would make it abandon its task). runserver stays in the terminal's
group, so `breakpoint()` in a view still reads the keyboard. The handlers are installed explicitly, so
SIGINT stops the site even when it was started with SIGINT ignored (`cmd &` in a script does that), and
the children start with SIGINT at its default, whatever this process inherited.
"""
import logging
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
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
STOP_WAIT_SECONDS = 30  # for the worker to finish its task's current step; then what is left is killed
log = logging.getLogger("ops.run")


def worker_command(backend: str) -> list[str]:
    if backend not in WORKERS:
        sys.exit(f"TASKS_BACKEND must be one of {', '.join(WORKERS)}, not {backend!r}")
    return [sys.executable, "manage.py", *WORKERS[backend]]


def web_command(argv: list[str]) -> list[str]:
    return [sys.executable, "-m", "ops.dev_server", *(argv or ["127.0.0.1:8000"])]


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    for number in STOP_SIGNALS:  # each raises KeyboardInterrupt, as Ctrl-C does
        signal.signal(number, signal.default_int_handler)
    started = []  # what `stop` must stop, even if a signal arrives between the two starts
    try:
        started.append(subprocess.Popen(worker_command(os.environ.get("TASKS_BACKEND", "database")), cwd=REPO,
                                        process_group=0))
        started.append(subprocess.Popen(web_command(argv), cwd=REPO))
        while all(process.poll() is None for process in started):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)  # nothing interrupts the shutdown
        stop(started)
    return next((process.returncode for process in started if process.returncode), 0)


def stop(processes, wait: float = STOP_WAIT_SECONDS) -> None:
    """SIGINT to each process that is still running, as Ctrl-C would send it; SIGKILL to those still
    running `wait` seconds later."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
    deadline = time.monotonic() + wait
    for process in processes:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("ops.run: %s did not stop within %.0f s; killing it", " ".join(process.args[1:3]), wait)
            process.kill()
            process.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
