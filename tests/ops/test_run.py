"""`make run` (ops.run): runserver and a db_worker side by side; a queued job runs; Ctrl-C or SIGTERM stops
both, also when the site was started with SIGINT ignored (as a script's `make run &` starts it)."""
import http.client
import signal
import subprocess
import sys

import pytest

from ops.server import HOST, free_port, isolated_env
from tests.recognizer.jobs_processes import REPO, django_json, manage, wait_for

pytestmark = pytest.mark.slow  # ~10 s each: migrations, runserver start, a job
QUEUE_A_JOB = (
    "from recognizer.jobs.services import job_enqueue\n"
    "out = str(job_enqueue(kind='import', arguments={'count': 2}, "
    "runner='tests.recognizer.test_jobs.counting_runner').pk)"
)
STOPS = {
    "Ctrl-C": (signal.SIGINT, None),
    "SIGTERM from a process manager": (signal.SIGTERM, None),
    "Ctrl-C, started with SIGINT ignored": (signal.SIGINT, lambda: signal.signal(signal.SIGINT, signal.SIG_IGN)),
}


@pytest.mark.parametrize("stop", STOPS.values(), ids=STOPS.keys())
def test_make_run_serves_the_site_and_runs_jobs_until_stopped(tmp_path, stop):
    stop_signal, before_start = stop
    env = {**isolated_env(database_url=f"sqlite:///{tmp_path / 'db.sqlite3'}", var_dir=tmp_path / "var"),
           "DEBUG": "true"}
    manage(env, "migrate", "--noinput")
    manage(env, "register_shipped_model")  # as `make run` does first
    port = free_port()
    with open(tmp_path / "run.log", "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "ops.run", f"{HOST}:{port}"], cwd=REPO, env=env,
                                   stdout=log, stderr=log, preexec_fn=before_start)
    try:
        wait_for(lambda: _answers(port), timeout=60, what="runserver", every=0.5)
        job_id = django_json(env, QUEUE_A_JOB)
        status = wait_for(lambda: _status(env, job_id) not in ("queued", "running") and _status(env, job_id),
                          timeout=60, what="the worker to run the job", every=0.5)
    finally:
        process.send_signal(stop_signal)
        code = process.wait(timeout=60)
    run_log = (tmp_path / "run.log").read_text()
    assert status == "succeeded", run_log[-3000:]
    assert code == 0, run_log[-3000:]
    assert "did not stop" not in run_log  # each stopped on its signal, none was killed
    assert not _answers(port)  # runserver, and the server process its auto-reloader started, stopped with it


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _status(env, job_id):
    return django_json(env, f"from recognizer.models import Job\nout = Job.objects.get(pk={job_id!r}).status")
