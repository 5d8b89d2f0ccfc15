"""Dataset import and export jobs in real worker processes, on both job backends (db_worker on this pass's
database; rqworker on Redis db 14) and this pass's database engine: `import_dataset --background` keeps a copy
of the archive that the worker imports, `export_dataset --background` is written by the worker, and the
exported file imports back; a refused archive fails its job with the reason and imports nothing."""
import os
import re

import pytest
import redis

from ops.databases import fresh_database
from ops.server import isolated_env
from tests.recognizer.dataset_archives import image_zip, notmnist_letters
from tests.recognizer.jobs_processes import (REDIS_JOBS_URL, django_json, flush_job_redis, job_row, manage, this_pass,
                                             wait_for, worker)

pytestmark = [pytest.mark.db, pytest.mark.slow]  # ~15 s per backend: migrations, processes, a real worker
QUEUED = re.compile(r"queued (?:import|export) job ([0-9a-f-]{36})\s*")
COUNT_DRAWINGS = ("from recognizer.models import Drawing\n"
                  "out = {name: Drawing.objects.filter(dataset=name).count() for name in ('set', 'back', 'bad')}")


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_import_and_export_jobs_run_in_a_worker(backend, tmp_path, mnist_test):
    images, labels = mnist_test
    archive, bad, exported = tmp_path / "set.zip", tmp_path / "bad.zip", tmp_path / "exported.zip"
    archive.write_bytes(image_zip(images[:12], labels[:12], notmnist_letters(3)))
    bad.write_bytes(b"not a zip at all")
    kind, server_url = this_pass()
    flush_job_redis()
    with fresh_database(kind, directory=tmp_path, name=f"digits_dataset_jobs_{os.getpid()}", server=server_url) as url:
        env = {**isolated_env(database_url=url, var_dir=tmp_path / "var"), "TASKS_BACKEND": backend,
               "TASKS_REDIS_URL": REDIS_JOBS_URL}
        manage(env, "migrate", "--noinput")
        manage(env, "register_shipped_model")
        imported = _queued(manage(env, "import_dataset", str(archive), "--name", "set", "--background"))
        refused = _queued(manage(env, "import_dataset", str(bad), "--name", "bad", "--background"))
        assert job_row(env, imported)["status"] == "queued"
        with worker(env, backend, tmp_path / "worker.log"):
            done = _finished(env, imported)
            failed = _finished(env, refused)
            written = _queued(manage(env, "export_dataset", "--dataset", "set", "--output", str(exported),
                                     "--background"))
            export = _finished(env, written)
        back = manage(env, "import_dataset", str(exported), "--name", "back")  # in the command's own process
        counts = django_json(env, COUNT_DRAWINGS)
    in_redis = redis.Redis.from_url(REDIS_JOBS_URL).exists(f"rq:job:{done['task_id']}")
    flush_job_redis()

    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert done["status"] == "succeeded", done["log"] + log
    assert done["result"] == {"dataset": "set", "format": "zip", "digits": 12, "not_digits": 3, "ignored": 0}
    assert done["progress"]["done"] == done["progress"]["total"] == 15 and done["progress"]["stage"] == "done"
    assert failed["status"] == "failed" and failed["error"] == "not a zip archive (or a damaged one)"
    assert export["status"] == "succeeded", export["log"] + log
    assert export["result"] == {"output": str(exported), "count": 15, "skipped": 0, "format": "zip"}
    assert "imported 15 drawing(s) into dataset 'back'" in back
    assert counts == {"set": 15, "back": 15, "bad": 0}
    assert in_redis == (backend == "rq")  # the job went through the backend it was meant to
    assert list((tmp_path / "var" / "dataset-uploads").iterdir()) == []  # both kept copies deleted


def _queued(out: str) -> str:
    return QUEUED.fullmatch(out).group(1)


def _finished(env: dict, job_id: str) -> dict:
    return wait_for(lambda: (row := job_row(env, job_id))["status"] not in ("queued", "running") and row,
                    timeout=180, what=f"job {job_id} to finish", every=0.5)
