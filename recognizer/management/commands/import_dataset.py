from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.importers import FORMATS
from recognizer.datasets.services import dataset_import
from recognizer.exceptions import ModelUnavailable


class Command(BaseCommand):
    help = (
        "Import a labelled dataset as confirmed drawings (source \"dataset\") under a name: a zip of images with "
        "labels.csv (header file,label; label 0-9 or x for not a digit), a zip of two IDX files, or an npz with "
        "x (N,28,28) and y (0-9, 10 = not a digit). Each drawing is predicted by the active model. The whole "
        "archive is checked first; any bad file imports nothing."
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
                            help="check the whole archive and report what would be imported, storing nothing")

    def handle(self, *args, path: Path, name: str, format: str, append: bool, dry_run: bool, **options):
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            with path.open("rb") as file:
                result = dataset_import(file=file, name=name, fmt=format, append=append, dry_run=dry_run)
        except DatasetError as err:
            raise CommandError(f"{path}: nothing imported: {err}") from None
        except ModelUnavailable:
            raise CommandError("nothing imported: no model version is active (manage.py register_shipped_model)") from None
        self.stdout.write(self.style.SUCCESS(result.summary()))
