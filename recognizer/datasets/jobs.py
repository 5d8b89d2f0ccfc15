"""Dataset imports and exports as background jobs (recognizer/jobs). Import: the admin keeps the upload,
queues a job, and the worker imports it with the full limits, reporting progress and stopping (importing
nothing) if cancelled. Export: the worker writes the file into the same storage, and the job's result names
the admin URL that downloads it (`export_download_view`).

The upload waits in the "datasets" storage of settings.STORAGES when one is configured (django-storages,
for workers on other machines), else under VAR_DIR/dataset-uploads, which a worker must share; it is
deleted when the job ends, whatever the outcome.
"""
import uuid

from django.core.files.base import ContentFile
from django.urls import reverse

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import FileSystemStorage, Storage, storages

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.exporters import dataset_export
from recognizer.datasets.services import check_dataset_name, dataset_import
from recognizer.jobs.exceptions import JobRefused
from recognizer.jobs.services import job_enqueue
from recognizer.models import Drawing, Job

RUNNER = "recognizer.datasets.jobs.run_import"
EXPORT_RUNNER = "recognizer.datasets.jobs.run_export"
DOWNLOAD_URL_NAME = "recognizer_drawing_export_download"


def upload_storage() -> Storage:
    if "datasets" in settings.STORAGES:
        return storages["datasets"]
    return FileSystemStorage(location=settings.VAR_DIR / "dataset-uploads")


def enqueue_import(*, file, name: str, fmt: str, append: bool, user) -> Job:
    """Keeps the upload and queues its import; DatasetError (nothing kept) for a bad name or a full queue."""
    check_dataset_name(name, append=append)
    storage = upload_storage()
    stored = storage.save(f"{uuid.uuid4()}.upload", file)
    arguments = {"upload": stored, "name": name, "format": fmt, "append": append}
    try:
        return job_enqueue(kind=Job.Kind.IMPORT, arguments=arguments, user=user, runner=RUNNER)
    except JobRefused as err:
        storage.delete(stored)
        raise DatasetError(str(err)) from None


def run_import(*, job: Job, report) -> dict:
    """In the worker: the same `dataset_import` the command runs; the job's result is the import's counts."""
    storage, arguments = upload_storage(), job.arguments
    user = get_user_model().objects.filter(pk=job.created_by_id).first()
    report(f"importing {arguments['name']!r}", stage="reading")
    try:
        with storage.open(arguments["upload"], "rb") as file:
            result = dataset_import(
                file=file, name=arguments["name"], fmt=arguments["format"], append=arguments["append"], user=user,
                progress=lambda done, total: report(stage="storing", done=done, total=total),
            )
    finally:
        storage.delete(arguments["upload"])
    report(result.summary())
    return {"dataset": result.name, "format": result.format, "digits": result.digits,
            "not_digits": result.not_digits, "ignored": result.ignored}


def enqueue_export(*, ids: list[str], fmt: str, user) -> Job:
    """Queues the export of these drawings (their confirmed ones); DatasetError if the queue refuses."""
    try:
        return job_enqueue(kind=Job.Kind.EXPORT, arguments={"ids": [str(pk) for pk in ids], "format": fmt},
                           user=user, runner=EXPORT_RUNNER)
    except JobRefused as err:
        raise DatasetError(str(err)) from None


def run_export(*, job: Job, report) -> dict:
    """In the worker: writes the file into the upload storage; the result says where to download it."""
    report(stage="exporting")
    result = dataset_export(Drawing.objects.filter(pk__in=job.arguments["ids"]), job.arguments["format"])
    if result.count == 0:
        raise DatasetError("none of the selected drawings is confirmed: nothing to export")
    stored = upload_storage().save(f"exports/{job.pk}-{result.filename}", ContentFile(result.data))
    report(f"wrote {result.count:,} drawing(s)")
    return {"file": stored, "count": result.count, "skipped": result.skipped,
            "download": reverse("admin:" + DOWNLOAD_URL_NAME, args=[job.pk])}
