from django.core.management.base import BaseCommand

from recognizer.selectors import model_version_list


def _percent(value) -> str:
    return "-" if value is None else f"{100 * value:.2f}%"


class Command(BaseCommand):
    help = "List model versions, newest first, with their measured accuracy; the active one is marked with *."

    def handle(self, *args, **options):
        header = f"  {'version':<28}{'MNIST test':>11}{'held-out':>10}{'drawings':>10}  {'created':<17}parent"
        self.stdout.write(header)
        versions = model_version_list()
        if not versions:
            self.stdout.write("no model versions yet: `manage.py register_shipped_model` registers the shipped one")
        for version in versions:
            self.stdout.write(
                f"{'*' if version.is_active else ' '} {version.name:<28}{_percent(version.test_accuracy):>11}"
                f"{_percent(version.held_out_accuracy):>10}{version.training_drawing_count:>10}  "
                f"{version.created:%Y-%m-%d %H:%M}  {version.parent.name if version.parent else '-'}"
            )
