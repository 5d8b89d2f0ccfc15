"""Jobs in real worker processes, each on both job backends (db_worker; rqworker on Redis db 14): a training
started from the admin of a production server, followed through its progress, finished by the worker while
the web server is stopped and started again; and a training cancelled mid-way that registers nothing.

Each test trains a tiny model (500 or 3,000 MNIST images) in the worker, on this pass's database engine.
"""
import json
import os
import re

import pytest

from ops.databases import fresh_database
from ops.server import HOST, ProductionServer, isolated_env
from tests.recognizer.jobs_processes import (REDIS_JOBS_URL, AdminSession, django_json, flush_job_redis, job_row,
                                             manage, this_pass, wait_for, worker)

pytestmark = [pytest.mark.training, pytest.mark.slow, pytest.mark.db]
TINY_TRAIN = {"quick": True, "epochs": 1, "train_limit": 500}
BACKENDS = pytest.mark.parametrize("backend", ["database", "rq"])


@pytest.fixture
def job_redis():
    """Redis db 14, empty before and after, for the rq backend (the database backend leaves it alone)."""
    flush_job_redis()
    yield REDIS_JOBS_URL
    flush_job_redis()


def job_env(tmp_path, url: str, backend: str, **extra) -> dict:
    return {**isolated_env(database_url=url, var_dir=tmp_path / "var"), "JOB_QUICK_TRAIN_OPTIONS": json.dumps(TINY_TRAIN),
            "TASKS_BACKEND": backend, "TASKS_REDIS_URL": REDIS_JOBS_URL, **extra}


@BACKENDS
def test_a_training_started_in_the_admin_survives_a_restart_of_the_web_server(tmp_path, backend, job_redis):
    kind, server_url = this_pass()
    with fresh_database(kind, directory=tmp_path, name=f"digits_jobs_{os.getpid()}", server=server_url) as url:
        env = job_env(tmp_path, url, backend, DJANGO_SUPERUSER_PASSWORD="a-long-test-password")
        with ProductionServer(env, log_path=tmp_path / "server.log", workers=1) as server:
            manage(env, "createsuperuser", "--noinput", "--username", "staff", "--email", "staff@example.org")
            staff = AdminSession(f"http://{HOST}:{server.port}", "staff", "a-long-test-password")
            with worker(env, backend, tmp_path / "worker.log"):
                final_url, _ = staff.post("/admin/recognizer/job/start/train/")
                job_id = re.search(r"/admin/recognizer/job/([0-9a-f-]{36})/change/", final_url).group(1)
                progress = f"/admin/recognizer/job/{job_id}/progress/"
                running = wait_for(lambda: _started(staff.get(progress)), timeout=300, what="the worker to start")
                assert running["status"] == "running" and running["progress"]["stage"]

                _, listing = staff.post("/admin/recognizer/job/start/retrain/")
                assert "one training at a time" in listing  # refused while the train runs

                server.stop()  # the web server goes away mid-training; the worker carries on
                with ProductionServer(env, log_path=tmp_path / "server2.log", workers=1) as again:
                    staff.base = f"http://{HOST}:{again.port}"  # same database sessions, same SECRET_KEY
                    done = wait_for(lambda: _finished(staff.get(progress)), timeout=900, what="the job to finish",
                                    every=2)
                    page = staff.get(f"/admin/recognizer/job/{job_id}/change/")
        row = job_row(env, job_id)
        versions = django_json(env, "from recognizer.models import ModelVersion\n"
                                    "out = list(ModelVersion.objects.values_list('name', flat=True))")

    assert done["status"] == "succeeded", row["log"][-3000:]
    assert done["result"]["version"] in versions and row["model_version_id"] is not None
    assert "epoch  1/1" in row["log"] and row["progress"]["stage"] == "done"
    assert re.search(r"^limits: 1 of \d+ CPUs \(\d+\), nice 10, TensorFlow threads 1 \(JOB_TF_THREADS\)$", row["log"],
                     re.MULTILINE), row["log"][:500]
    assert "http-equiv" not in page and done["result"]["version"] in page


def _started(text: str):
    body = json.loads(text)
    return body if body["status"] == "running" and body["progress"].get("stage") else None


def _finished(text: str):
    body = json.loads(text)
    return body if body["status"] not in ("queued", "running") else None


@BACKENDS
def test_a_cancelled_training_registers_nothing(tmp_path, backend, job_redis):
    kind, server_url = this_pass()
    with fresh_database(kind, directory=tmp_path, name=f"digits_jobs_cancel_{os.getpid()}", server=server_url) as url:
        env = job_env(tmp_path, url, backend)
        manage(env, "migrate", "--noinput")
        manage(env, "register_shipped_model")
        out = manage(env, "train", "--background", "--quick", "--epochs", "5", "--train-limit", "3000")
        job_id = re.fullmatch(r"queued train job ([0-9a-f-]{36})\s*", out).group(1)
        with worker(env, backend, tmp_path / "worker.log"):
            wait_for(lambda: (job_row(env, job_id)["progress"].get("step") or 0) > 0, timeout=600,
                     what="training steps", every=2)
            django_json(env, "from recognizer.jobs.services import job_cancel\nfrom recognizer.models import Job\n"
                             f"out = job_cancel(job=Job.objects.get(pk={job_id!r}))")
            row = wait_for(lambda: (r := job_row(env, job_id))["status"] != "running" and r, timeout=120,
                           what="the cancel to take effect")
        versions = django_json(env, "from recognizer.models import ModelVersion\nout = ModelVersion.objects.count()")

    assert row["status"] == "cancelled" and row["error"] == "cancelled by staff", row["log"][-3000:]
    assert row["progress"]["epoch"] < 5 and "cancelled by staff; nothing was registered" in row["log"]
    assert versions == 1 and row["model_version_id"] is None  # the shipped version only
    models = tmp_path / "var" / "models"
    assert not models.exists() or list(models.iterdir()) == []
