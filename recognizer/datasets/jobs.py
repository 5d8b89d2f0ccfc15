"""Dataset imports and exports as jobs (recognizer/jobs), from the admin and from the commands.

Import: the archive is either kept in the "datasets" storage for a worker (the admin's upload, or
`import_dataset --background`), or read where it lies by a job the command runs in its own process
(`import_dataset` without --background). Either way the job imports with the full limits, reports progress
per stored batch, and imports nothing if it fails or is cancelled.

Export: the job writes the file either to the path the command named (`export_dataset --output`; with
--background that path is on the worker's machine), or into the same storage as uploads, and then the
job's result names the admin URL that downloads it (`export_download_view`).

The kept upload waits in the "datasets" storage of settings.STORAGES when one is configured
(django-storages, for workers on other machines), else under VAR_DIR/dataset-uploads, which a worker must
share; it is deleted when the job ends, whatever the outcome.
"""
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.urls import reverse

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.exporters import confirmed_drawings, dataset_export
from recognizer.datasets.services import check_dataset_name, dataset_import
from recognizer.exceptions import ModelUnavailable
from recognizer.jobs.exceptions import JobFailed, JobRefused
from recognizer.jobs.services import job_enqueue
from recognizer.models import Drawing, Job

RUNNER = "recognizer.datasets.jobs.run_import"
EXPORT_RUNNER = "recognizer.datasets.jobs.run_export"
DOWNLOAD_URL_NAME = "recognizer_drawing_export_download"
NO_ACTIVE_MODEL = "no model version is active to predict the drawings (manage.py register_shipped_model)"


def upload_storage() -> Storage:
    if "datasets" in settings.STORAGES:
        return storages["datasets"]
    return FileSystemStorage(location=settings.VAR_DIR / "dataset-uploads")


def keep_upload(file) -> str:
    """Saves an archive (an upload, or an open local file) into the upload storage; returns its name there."""
    return upload_storage().save(f"{uuid.uuid4()}.upload", file)


def import_arguments(*, name: str, fmt: str, append: bool, upload: str = "", path: str = "") -> dict:
    """Job.arguments of an import: `upload` (a name in the upload storage, deleted when the job ends) or
    `path` (a file the job reads where it lies and leaves alone; only for a job run by the command itself)."""
    source = {"upload": upload} if upload else {"path": str(path)}
    return {**source, "name": name, "format": fmt, "append": append}


def enqueue_import(*, file, name: str, fmt: str, append: bool, user) -> Job:
    """Keeps the upload and queues its import; DatasetError (nothing kept) for a bad name or a full queue."""
    check_dataset_name(name, append=append)
    stored = keep_upload(file)
    try:
        return job_enqueue(kind=Job.Kind.IMPORT, arguments=import_arguments(name=name, fmt=fmt, append=append,
                                                                            upload=stored),
                           user=user, runner=RUNNER)
    except JobRefused as err:
        upload_storage().delete(stored)
        raise DatasetError(str(err)) from None


def run_import(*, job: Job, report) -> dict:
    """In the worker (or the command): the same `dataset_import` for every caller; the job's result is the
    import's counts. A refused archive fails the job with the reason, and nothing is stored."""
    arguments = job.arguments
    user = get_user_model().objects.filter(pk=job.created_by_id).first()
    report(f"importing {arguments['name']!r}", stage="reading")
    try:
        with _open_archive(arguments) as file:
            result = dataset_import(
                file=file, name=arguments["name"], fmt=arguments["format"], append=arguments["append"], user=user,
                progress=lambda done, total: report(stage="storing", done=done, total=total,
                                                    fraction=round(done / total, 4)),
            )
    except DatasetError as err:
        raise JobFailed(str(err)) from err
    except ModelUnavailable as err:
        raise JobFailed(NO_ACTIVE_MODEL) from err
    finally:
        if arguments.get("upload"):
            upload_storage().delete(arguments["upload"])
    report(result.summary())
    return {"dataset": result.name, "format": result.format, "digits": result.digits,
            "not_digits": result.not_digits, "ignored": result.ignored}


def _open_archive(arguments: dict):
    if arguments.get("upload"):
        try:
            return upload_storage().open(arguments["upload"], "rb")
        except OSError:
            raise DatasetError(
                f"the uploaded archive ({arguments['upload']}) is not in this worker's upload storage: a worker on "
                "another machine than the web server needs the same STORAGES['datasets'] (or a shared "
                "VAR_DIR/dataset-uploads); upload it again once it has"
            ) from None
    try:
        return open(arguments["path"], "rb")
    except OSError as err:
        raise DatasetError(f"{arguments['path']}: cannot be read ({err.strerror})") from None


def export_arguments(*, fmt: str, ids=None, datasets=(), sources=(), output: str = "") -> dict:
    """Job.arguments of an export: the chosen drawings (`ids`, or the `datasets`/`sources` filters of the
    command), the format, and `output`, an absolute path to write (else the file goes to the upload storage)."""
    chosen = {"ids": [str(pk) for pk in ids]} if ids is not None else {"datasets": list(datasets),
                                                                       "sources": list(sources)}
    return {**chosen, "format": fmt, **({"output": str(output)} if output else {})}


def enqueue_export(*, ids: list[str], fmt: str, user) -> Job:
    """Queues the export of these drawings (their confirmed ones); DatasetError if the queue refuses."""
    try:
        return job_enqueue(kind=Job.Kind.EXPORT, arguments=export_arguments(fmt=fmt, ids=ids), user=user,
                           runner=EXPORT_RUNNER)
    except JobRefused as err:
        raise DatasetError(str(err)) from None


def run_export(*, job: Job, report) -> dict:
    """In the worker (or the command): writes the confirmed drawings chosen by the job's arguments."""
    arguments = job.arguments
    report(stage="exporting")
    if "ids" in arguments:
        queryset, nothing = (Drawing.objects.filter(pk__in=arguments["ids"]),
                             "none of the selected drawings is confirmed: nothing to export")
    else:
        queryset, nothing = (confirmed_drawings(datasets=arguments["datasets"], sources=arguments["sources"]),
                             "no confirmed drawings match; nothing written")
    result = dataset_export(queryset, arguments["format"])
    if result.count == 0:
        raise JobFailed(nothing)
    skipped = (f"; {result.skipped:,} not-a-digit drawing(s) left out (IDX holds digits only)"
               if result.skipped else "")
    counts = {"count": result.count, "skipped": result.skipped, "format": arguments["format"]}
    if arguments.get("output"):
        _write_file(Path(arguments["output"]), result.data)
        report(f"wrote {result.count:,} drawing(s) to {arguments['output']} ({arguments['format']}){skipped}")
        return {"output": arguments["output"], **counts}
    stored = upload_storage().save(f"exports/{job.pk}-{result.filename}", ContentFile(result.data))
    report(f"wrote {result.count:,} drawing(s){skipped}")
    return {"file": stored, **counts, "download": reverse("admin:" + DOWNLOAD_URL_NAME, args=[job.pk])}


def _write_file(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as err:
        raise JobFailed(f"cannot write {path}: {err.strerror}") from None
