from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from recognizer.management.commandline import command_line


class Command(BaseCommand):
    help = (
        "Train a digit model on MNIST, evaluate it on the 10,000 test images, export it to .tflite and "
        "write metrics.json and plots beside it. The shipped model was made with "
        "`manage.py train --output ml/artifacts`. Needs TensorFlow; the web server never imports it."
    )

    def add_arguments(self, parser):
        from ml.train import add_arguments

        add_arguments(parser)

    def handle(self, *args, **options):
        from ml.data import MnistFormatError
        from ml.train import config_from, default_output, train

        options["mnist_dir"] = str(options["mnist_dir"] or settings.MNIST_DIR)
        config = config_from(options)
        output = Path(options["output"]) if options["output"] else Path(settings.MODEL_DIR) / default_output(config).name
        command = command_line(
            "train", options, ("mnist_dir", "architecture", "epochs", "batch_size", "patience", "seed", "train_limit")
        )
        log = self.stdout.write if options["verbosity"] > 0 else (lambda line: None)
        try:
            metrics = train(config, output, command=command, log=log)
        except (MnistFormatError, ValueError) as err:
            raise CommandError(f"training failed: {err}") from err
        self.stdout.write(self.style.SUCCESS(
            f"wrote {output}: MNIST test accuracy {100 * metrics['test']['accuracy']:.2f}% "
            f"({metrics['epochs_run']} epochs, {metrics['training_seconds'] / 60:.1f} min)"
        ))
