from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recognizer.datasets.exporters import EXPORT_FORMATS, confirmed_drawings, dataset_export
from recognizer.models import Drawing


class Command(BaseCommand):
    help = (
        "Export confirmed drawings to a file import_dataset reads back: zip (original images + labels.csv, x = not "
        "a digit), npz (x uint8 (N,28,28) model inputs, y 0-9 or 10 = not a digit) or idx (two IDX files in a zip; "
        "digits only, not-a-digit drawings are left out)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=EXPORT_FORMATS, default="zip", help="file format (default: zip)")
        parser.add_argument("--dataset", action="append", default=[], metavar="NAME",
                            help="only drawings of this imported dataset (repeatable; default: all)")
        parser.add_argument("--source", action="append", default=[], choices=Drawing.Source.values,
                            help="only drawings from this source (repeatable; default: all)")
        parser.add_argument("--output", type=Path, required=True, help="the file to write (replaced if it exists)")

    def handle(self, *args, format: str, dataset: list, source: list, output: Path, **options):
        if not output.parent.is_dir():
            raise CommandError(f"{output.parent}: no such folder")
        result = dataset_export(confirmed_drawings(datasets=dataset, sources=source), format)
        if result.count == 0:
            raise CommandError("no confirmed drawings match; nothing written")
        output.write_bytes(result.data)
        skipped = f"; {result.skipped:,} not-a-digit drawing(s) left out (IDX holds digits only)" if result.skipped else ""
        self.stdout.write(self.style.SUCCESS(f"wrote {result.count:,} drawing(s) to {output} ({format}){skipped}"))
