from django.core.management.base import BaseCommand

from recognizer.percent import FIGURE_DECIMALS, format_percent
from recognizer.selectors import model_version_list


class Command(BaseCommand):
    help = "List model versions, newest first, with their measured accuracy; the active one is marked with *."

    def handle(self, *args, **options):
        header = f"  {'version':<28}{'MNIST test':>11}{'held-out':>10}{'drawings':>10}  {'created':<17}parent"
        self.stdout.write(header)
        versions = model_version_list()
        if not versions:
            self.stdout.write("no model versions yet: `manage.py register_shipped_model` registers the shipped one")
        for version in versions:
            mnist = format_percent(version.test_accuracy, FIGURE_DECIMALS)  # the one rule: recognizer/percent.py
            held_out = format_percent(version.held_out_accuracy, FIGURE_DECIMALS)
            self.stdout.write(
                f"{'*' if version.is_active else ' '} {version.name:<28}{mnist:>11}"
                f"{held_out:>10}{version.training_drawing_count:>10}  "
                f"{version.created:%Y-%m-%d %H:%M}  {version.parent.name if version.parent else '-'}"
            )
