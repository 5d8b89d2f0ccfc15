"""`import_dataset` and `export_dataset` run as jobs: by default in the command's own process, waiting (a Job
row with its log, progress and result, cancellable from the admin), with --background queued for a worker,
which `run_job` stands in for here (tests/recognizer/test_datasets_worker.py runs real workers)."""
import io
import re
import zipfile

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from recognizer.datasets import services
from recognizer.jobs.tasks import run_job
from recognizer.models import Drawing, Job
from tests.recognizer.dataset_archives import image_zip, notmnist_letters, npz_bytes

pytestmark = pytest.mark.django_db
QUEUED = re.compile(r"queued (import|export) job ([0-9a-f-]{36})\s*")


@pytest.fixture
def archive(tmp_path, mnist_test):
    images, labels = mnist_test
    path = tmp_path / "digits.zip"
    path.write_bytes(image_zip(images[:6], labels[:6], notmnist_letters(2)))
    return path


@pytest.fixture
def uploads(settings, tmp_path):
    settings.VAR_DIR = tmp_path / "var"
    return tmp_path / "var" / "dataset-uploads"


def command(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_an_import_runs_as_a_job_here_and_waits(archive, uploads):
    out = command("import_dataset", str(archive), "--name", "cli")
    job = Job.objects.get()
    assert out.strip() == (f"imported 8 drawing(s) into dataset 'cli' from a zip archive (6 digits, 2 not a digit) "
                           f"(job {job.pk})")
    assert job.kind == Job.Kind.IMPORT and job.status == Job.Status.SUCCEEDED and job.task_id == ""
    assert job.arguments["path"] == str(archive.resolve()) and "upload" not in job.arguments
    assert job.result == {"dataset": "cli", "format": "zip", "digits": 6, "not_digits": 2, "ignored": 0}
    assert job.progress["done"] == job.progress["total"] == 8 and job.progress["fraction"] == 1.0
    assert "imported 8 drawing(s)" in job.log and job.started <= job.finished
    assert Drawing.objects.filter(dataset="cli").count() == 8
    assert archive.is_file() and not uploads.exists()  # read where it lies, left alone


def test_a_background_import_keeps_a_copy_for_the_worker(archive, uploads):
    out = command("import_dataset", str(archive), "--name", "cli", "--background")
    job = Job.objects.get()
    assert QUEUED.fullmatch(out).groups() == ("import", str(job.pk))
    assert job.status == Job.Status.QUEUED and job.task_id and not Drawing.objects.exists()
    kept = uploads / job.arguments["upload"]
    assert kept.read_bytes() == archive.read_bytes() and "path" not in job.arguments

    assert run_job.call(str(job.pk)) == Job.Status.SUCCEEDED  # what the worker does
    job.refresh_from_db()
    assert job.result["digits"] == 6 and Drawing.objects.filter(dataset="cli").count() == 8
    assert list(uploads.iterdir()) == [] and archive.is_file()


def test_a_refused_archive_fails_its_job_with_the_reason_alone(tmp_path, mnist_test, uploads):
    images, _ = mnist_test
    bad = tmp_path / "bad.npz"
    bad.write_bytes(npz_bytes(x=images[:3], y=np.array([1, 2, 12])))
    with pytest.raises(CommandError, match=r"nothing imported: y holds label 12; labels are 0-9, or 10 for not a "
                                           r"digit \(job [0-9a-f-]{36}\)"):
        command("import_dataset", str(bad), "--name", "cli")
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED
    assert job.error == "y holds label 12; labels are 0-9, or 10 for not a digit"  # no type name, no traceback
    assert "Traceback" not in job.log and not Drawing.objects.exists()


def test_a_background_import_of_a_bad_archive_fails_in_the_worker(tmp_path, uploads):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"plain text")
    command("import_dataset", str(bad), "--name", "cli", "--background")
    job = Job.objects.get()
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error == "not a zip archive (or a damaged one)" and list(uploads.iterdir()) == []


def test_a_worker_that_cannot_reach_the_upload_says_so(archive, uploads):
    """A worker on another machine, without the web server's upload storage, finds no archive."""
    command("import_dataset", str(archive), "--name", "cli", "--background")
    job = Job.objects.get()
    (uploads / job.arguments["upload"]).unlink()
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error.startswith(f"the uploaded archive ({job.arguments['upload']}) is not in this worker's upload "
                                "storage: a worker on another machine than the web server needs the same "
                                "STORAGES['datasets']")
    assert "Traceback" not in job.log and not Drawing.objects.exists()


def test_refusals_known_before_the_job_make_no_job(archive, uploads):
    command("import_dataset", str(archive), "--name", "cli")
    for extra in ([], ["--background"]):
        with pytest.raises(CommandError, match="a dataset named 'cli' already exists"):
            command("import_dataset", str(archive), "--name", "cli", *extra)
    with pytest.raises(CommandError, match="no such file"):
        command("import_dataset", str(archive.with_name("missing.zip")), "--name", "other", "--background")
    assert Job.objects.count() == 1 and not uploads.exists()


def test_dry_run_makes_no_job(archive):
    assert "would import 8 drawing(s)" in command("import_dataset", str(archive), "--name", "cli", "--dry-run")
    assert not Job.objects.exists() and not Drawing.objects.exists()


def test_cancelled_from_the_admin_while_the_command_imports_it_imports_nothing(archive, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)  # several batches: the cancel lands between two of them
    original = services.Drawing.objects.bulk_create

    def bulk_create_then_cancel(objs, *args, **kwargs):
        Job.objects.update(cancel_requested=True)  # staff click Cancel on the job's page meanwhile
        return original(objs, *args, **kwargs)

    monkeypatch.setattr(services.Drawing.objects, "bulk_create", bulk_create_then_cancel)
    with pytest.raises(CommandError, match="nothing imported: cancelled by staff"):
        command("import_dataset", str(archive), "--name", "cli")
    assert Job.objects.get().status == Job.Status.CANCELLED and not Drawing.objects.exists()


def test_ctrl_c_cancels_the_job_and_imports_nothing(archive, monkeypatch):
    monkeypatch.setattr(services, "BATCH", 2)
    calls = []

    def interrupted(objs, *args, **kwargs):
        calls.append(len(objs))
        if len(calls) == 2:
            raise KeyboardInterrupt
        return original(objs, *args, **kwargs)

    original = services.Drawing.objects.bulk_create
    monkeypatch.setattr(services.Drawing.objects, "bulk_create", interrupted)
    with pytest.raises(KeyboardInterrupt):
        command("import_dataset", str(archive), "--name", "cli")
    job = Job.objects.get()
    assert job.status == Job.Status.CANCELLED and job.error == "interrupted in the terminal (Ctrl-C)"
    assert job.finished and not Drawing.objects.exists()  # the first batch was rolled back


def test_an_unreachable_queue_keeps_no_copy_and_no_queued_job(archive, uploads, monkeypatch):
    def refuse(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(type(run_job.get_backend()), "enqueue", refuse)  # the queue's backend, whichever
    with pytest.raises(CommandError, match="the task queue is not reachable .*nothing was started"):
        command("import_dataset", str(archive), "--name", "cli", "--background")
    assert Job.objects.get().status == Job.Status.FAILED and list(uploads.iterdir()) == []


def test_an_export_runs_as_a_job_here_and_imports_back(archive, tmp_path):
    command("import_dataset", str(archive), "--name", "cli")
    target = tmp_path / "out.idx.zip"
    out = command("export_dataset", "--format", "idx", "--dataset", "cli", "--output", str(target))
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert out.strip() == (f"wrote 6 drawing(s) to {target} (idx); 2 not-a-digit drawing(s) left out "
                           f"(IDX holds digits only) (job {job.pk})")
    assert job.status == Job.Status.SUCCEEDED and job.arguments == {
        "datasets": ["cli"], "sources": [], "format": "idx", "output": str(target), "runner": job.arguments["runner"]}
    assert job.result == {"output": str(target), "count": 6, "skipped": 2, "format": "idx"}
    assert len(zipfile.ZipFile(target).namelist()) == 2
    command("import_dataset", str(target), "--name", "back")
    assert Drawing.objects.filter(dataset="back").count() == 6


def test_a_background_export_is_written_by_the_worker(archive, tmp_path):
    command("import_dataset", str(archive), "--name", "cli")
    target = tmp_path / "out.npz"
    out = command("export_dataset", "--format", "npz", "--output", str(target), "--background")
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert QUEUED.fullmatch(out).groups() == ("export", str(job.pk)) and not target.exists()

    assert run_job.call(str(job.pk)) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.result["count"] == 8 and len(np.load(target)["y"]) == 8


def test_a_background_export_whose_folder_is_gone_fails_with_the_reason(archive, tmp_path):
    command("import_dataset", str(archive), "--name", "cli")
    folder = tmp_path / "gone"
    folder.mkdir()
    command("export_dataset", "--output", str(folder / "x.zip"), "--background")
    folder.rmdir()  # before the worker gets to it
    job = Job.objects.get(kind=Job.Kind.EXPORT)
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error == f"cannot write {folder / 'x.zip'}: No such file or directory"
