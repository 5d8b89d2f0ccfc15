from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from recognizer.model_files import FILE_FIELDS, store_missing
from recognizer.models import ModelVersion

LABELS = {"model_file": ".tflite", "keras_file": ".keras"}


class Command(BaseCommand):
    help = (
        "Store in the database the model files of versions registered before files were kept there, reading "
        "them from their folders on this machine (a .tflite only if it still has the version's checksum). "
        "Run it where the versions were trained: afterwards every server on the database can serve them. "
        "Fails, naming them, when some version still has no .tflite stored."
    )

    def handle(self, *args, **options):
        missing = Q(model_file__isnull=True) | Q(keras_file__isnull=True)
        versions = ModelVersion.objects.defer(*FILE_FIELDS).filter(missing).order_by("created")
        unserved = [version.name for version in versions if not self._store(version)]
        if unserved:
            raise CommandError(
                f"{len(unserved)} version(s) have no model file in the database, so only a server holding their "
                f"folder can serve them: {', '.join(unserved)}"
            )
        self.stdout.write(self.style.SUCCESS("every model version has its .tflite file in the database"))

    def _store(self, version: ModelVersion) -> bool:
        """Stores what it can of one version; True when its .tflite is in the database afterwards."""
        try:
            filled = store_missing(version)
        except (OSError, ValueError) as err:
            self.stderr.write(f"{version.name}: not stored: {err}")
        else:
            stored = " and ".join(LABELS[field] for field in filled) or "nothing (no such file in its folder)"
            self.stdout.write(f"{version.name}: stored {stored}")
        return ModelVersion.objects.filter(pk=version.pk, model_file__isnull=False).exists()
