"""Real processes for the job tests: a worker (db_worker or rqworker), `manage.py` runs, reads of the
database through Django in a child process, and a staff member's admin session over HTTP (ops.admin_session)."""
import json
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings

from ops.admin_session import AdminSession  # noqa: F401  (the job tests import it from here)

REPO = Path(__file__).resolve().parents[2]
# The RQ backend's Redis in these tests: the machine's Redis, database 14, flushed before and after each
# test that uses it (the throttle tests flush 15, so the two never empty each other's database).
REDIS_JOBS_URL = "redis://127.0.0.1:6379/14"
WORKERS = {
    "database": ["db_worker", "--no-reload", "--interval", "0.5", "--no-startup-delay"],
    "rq": ["rqworker", "--job-class", "django_tasks_rq.Job", "default"],
}


def this_pass() -> tuple[str, str]:
    """The kind of database the suite runs on, and its server's URL (for PostgreSQL)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return "sqlite", ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return "postgres", f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


def flush_job_redis() -> None:
    import redis

    redis.Redis.from_url(REDIS_JOBS_URL).flushdb()


def manage(env: dict, *args: str, timeout: float = 300) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=REPO, env=env, capture_output=True, text=True,
                            timeout=timeout)
    if result.returncode:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-2000:]}\n{result.stderr[-3000:]}")
    return result.stdout


def django_json(env: dict, code: str):
    """Runs `code` (which sets `out`) in a child Django process on `env`'s database; returns `out`."""
    script = f"import django, json; django.setup()\n{code}\nprint(json.dumps(out, default=str))"
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120,
                            env={**env, "DJANGO_SETTINGS_MODULE": "digitsite.settings"})
    if result.returncode:
        raise RuntimeError(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def job_row(env: dict, job_id: str) -> dict:
    return django_json(env, f"from recognizer.models import Job\nout = Job.objects.filter(pk={job_id!r}).values()[0]")


def wait_for(check, *, timeout: float, what: str, every: float = 1.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@contextmanager
def worker(env: dict, backend: str, log_path: Path):
    """A job worker for `backend` as a child process; stopped (SIGTERM, then kill) when the block ends."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "manage.py", *WORKERS[backend]], cwd=REPO, env=env,
                                   stdout=log, stderr=log)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
