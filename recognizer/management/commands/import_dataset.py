from pathlib import Path

from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.importers import FORMATS
from recognizer.datasets.jobs import NO_ACTIVE_MODEL, RUNNER, import_arguments, keep_upload, upload_storage
from recognizer.datasets.services import ImportResult, check_dataset_name, dataset_import
from recognizer.exceptions import ModelUnavailable
from recognizer.jobs.commands import job_from_command
from recognizer.models import Job

BACKGROUND_HELP = (
    "queue the import as a background job and return at once, printing the job's id: the archive is first "
    "copied into the upload storage (STORAGES['datasets'], else VAR_DIR/dataset-uploads), which the worker "
    "must reach; follow the job under Jobs in the admin (default: import here and wait)"
)


class Command(BaseCommand):
    help = (
        "Import a labelled dataset as confirmed drawings (source \"dataset\") under a name: a zip of images with "
        "labels.csv (header file,label; label 0-9 or x for not a digit), a zip of two IDX files, or an npz with "
        "x (N,28,28) and y (0-9, 10 = not a digit). Each drawing is predicted by the active model. The whole "
        "archive is checked first; any bad file imports nothing. Runs as an import job (listed under Jobs in "
        "the admin, where it can be cancelled), here and waiting unless --background."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the archive to import (.zip or .npz)")
        parser.add_argument("--name", required=True,
                            help="the dataset's name, stored on every drawing (letters, digits, '.', '_', '-')")
        parser.add_argument("--format", choices=FORMATS, default="auto",
                            help="archive format (default: auto, told from the archive's contents)")
        parser.add_argument("--append", action="store_true",
                            help="add to an existing dataset of that name (default: an existing name is an error)")
        parser.add_argument("--dry-run", action="store_true",
                            help="check the whole archive and report what would be imported, storing nothing "
                                 "(runs here, no job)")
        parser.add_argument("--background", action="store_true", help=BACKGROUND_HELP)

    def handle(self, *args, path: Path, name: str, format: str, append: bool, dry_run: bool, background: bool,
               **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            check_dataset_name(name, append=append)
            if dry_run:
                with path.open("rb") as file:
                    result = dataset_import(file=file, name=name, fmt=format, append=append, dry_run=True)
                return self.stdout.write(self.style.SUCCESS(result.summary()))
        except DatasetError as err:
            raise CommandError(f"{path}: nothing imported: {err}") from None
        except ModelUnavailable:
            raise CommandError(f"nothing imported: {NO_ACTIVE_MODEL}") from None
        if background:
            return self._queue(path, name, format, append)
        job = job_from_command(self, kind=Job.Kind.IMPORT, runner=RUNNER, background=False,
                               arguments=import_arguments(name=name, fmt=format, append=append, path=path.resolve()))
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(f"{path}: nothing imported: {job.error} (job {job.pk})")
        counts = job.result
        result = ImportResult(counts["dataset"], counts["format"], counts["digits"], counts["not_digits"],
                              counts["ignored"], stored=True)
        self.stdout.write(self.style.SUCCESS(f"{result.summary()} (job {job.pk})"))

    def _queue(self, path: Path, name: str, fmt: str, append: bool) -> None:
        """The worker may be on another machine: it reads a copy in the upload storage, not `path`."""
        with path.open("rb") as file:
            stored = keep_upload(File(file, name=path.name))
        try:
            job_from_command(self, kind=Job.Kind.IMPORT, runner=RUNNER, background=True,
                             arguments=import_arguments(name=name, fmt=fmt, append=append, upload=stored))
        except CommandError:
            upload_storage().delete(stored)
            raise
