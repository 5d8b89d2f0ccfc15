from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recognizer.datasets.exporters import EXPORT_FORMATS, confirmed_drawings
from recognizer.datasets.jobs import EXPORT_RUNNER, export_arguments
from recognizer.jobs.commands import job_from_command
from recognizer.models import Drawing, Job

BACKGROUND_HELP = (
    "queue the export as a background job and return at once, printing the job's id; the worker writes "
    "--output, so the path is on the worker's machine (default: export here and wait)"
)


class Command(BaseCommand):
    help = (
        "Export confirmed drawings to a file import_dataset reads back: zip (original images + labels.csv, x = not "
        "a digit), npz (x uint8 (N,28,28) model inputs, y 0-9 or 10 = not a digit) or idx (two IDX files in a zip; "
        "digits only, not-a-digit drawings are left out). Runs as an export job (listed under Jobs in the admin), "
        "here and waiting unless --background."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="zip", help="file format (default: zip)")
        parser.add_argument("--dataset", action="append", default=[], metavar="NAME",
                            help="only drawings of this imported dataset (repeatable; default: all)")
        parser.add_argument("--source", action="append", default=[], choices=Drawing.Source.values,
                            help="only drawings from this source (repeatable; default: all)")
        parser.add_argument("--output", type=Path, required=True, help="the file to write (replaced if it exists)")
        parser.add_argument("--background", action="store_true", help=BACKGROUND_HELP)

    def handle(self, *args, format: str, dataset: list, source: list, output: Path, background: bool, **options):
        output = output.resolve()
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent}: no such folder")
        if not confirmed_drawings(datasets=dataset, sources=source).exists():
            raise CommandError("no confirmed drawings match; nothing written")
        job = job_from_command(self, kind=Job.Kind.EXPORT, runner=EXPORT_RUNNER, background=background,
                               arguments=export_arguments(fmt=format, datasets=dataset, sources=source, output=output))
        if background:
            return
        if job.status != Job.Status.SUCCEEDED:
            raise CommandError(f"nothing written: {job.error} (job {job.pk})")
        skipped = job.result["skipped"]
        note = f"; {skipped:,} not-a-digit drawing(s) left out (IDX holds digits only)" if skipped else ""
        self.stdout.write(self.style.SUCCESS(
            f"wrote {job.result['count']:,} drawing(s) to {output} ({format}){note} (job {job.pk})"))
