from django.core.management.base import BaseCommand, CommandError

from recognizer.exceptions import ModelUnavailable
from recognizer.models import ModelVersion
from recognizer.services import model_version_activate


class Command(BaseCommand):
    help = (
        "Make a stored model version the one the site serves (roll back or forward). Running web "
        "processes switch on their next request. `manage.py list_models` shows the versions."
    )

    def add_arguments(self, parser):
        parser.add_argument("version", help="the version's name, as listed by `manage.py list_models`")

    def handle(self, *args, **options):
        version = ModelVersion.objects.filter(name=options["version"]).first()
        if version is None:
            names = ", ".join(ModelVersion.objects.values_list("name", flat=True)[:20]) or "none yet"
            raise CommandError(f"no model version named {options['version']!r}; known versions: {names}")
        try:
            model_version_activate(version=version)
        except ModelUnavailable:
            raise CommandError(f"{version.name}: its model file {version.artifact_path} is missing or changed") from None
        self.stdout.write(self.style.SUCCESS(f"{version.name} is now the active model"))
