from django.core.management.base import BaseCommand, CommandError

from recognizer.services import model_version_register_shipped


class Command(BaseCommand):
    help = (
        "Register the model shipped in ml/artifacts/ as a model version (idempotent), and activate it when "
        "no version is active or the active one is an older shipped file. `make run` and `make serve-prod` "
        "run it after migrating; run it after deploying a new shipped model. Its files are stored in the "
        "database, so every server on it can serve the version (`store_model_files` does it for the others)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-activate", action="store_true",
                            help="register only; never activate it, even when no version is active")

    def handle(self, *args, **options):
        try:
            version = model_version_register_shipped(activate_if_none=not options["no_activate"])
        except (OSError, ValueError) as err:
            raise CommandError(f"the shipped model in ml/artifacts/ cannot be registered: {err}") from err
        state = "active" if version.is_active else "registered, not active"
        self.stdout.write(self.style.SUCCESS(f"shipped model {version.name}: {state}"))
