import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ml.artifacts import new_work_directory
from recognizer.exceptions import ModelUnavailable
from recognizer.jobs.commands import BACKGROUND_HELP, enqueue_from_command
from recognizer.management.commandline import command_line
from recognizer.services import model_version_activate, model_version_register

RECORDED_OPTIONS = ("mnist_dir", "architecture", "epochs", "batch_size", "patience", "seed", "train_limit", "quick", "output")


class Command(BaseCommand):
    stealth_options = ("callbacks",)  # extra Keras callbacks, from a background job (recognizer/jobs)
    help = (
        "Train a digit model, evaluate it, export it to .tflite, write metrics.json and plots beside it, and "
        "register it as a model version (not active unless --activate). The shipped model was made with "
        "`manage.py train --output ml/artifacts`. Needs TensorFlow; the web server never imports it."
    )

    def add_arguments(self, parser):
        from ml.train import add_arguments

        add_arguments(parser)
        parser.add_argument("--activate", action="store_true",
                            help="serve the new version at once (default: register it inactive; "
                                 "`manage.py activate_model` can activate it later)")
        parser.add_argument("--background", action="store_true", help=BACKGROUND_HELP)
        parser.add_argument("--dataset", action="append", default=[], metavar="NAME",
                            help="also train on the confirmed drawings of this imported dataset (repeatable; "
                                 "not with --background)")

    def handle(self, *args, **options):
        if options["background"] and options["dataset"]:
            raise CommandError("--dataset cannot be combined with --background yet; run the training here")
        if options["background"]:
            return enqueue_from_command(self, "train", options, (*RECORDED_OPTIONS, "activate"))
        from ml.data import MnistFormatError
        from ml.train import config_from
        from ml.report import version_name
        from ml.training import train

        options["mnist_dir"] = str(options["mnist_dir"] or settings.MNIST_DIR)
        config = config_from(options)
        name = version_name(config.architecture)
        output = Path(options["output"]) if options["output"] else Path(settings.MODEL_DIR) / name
        log = self.stdout.write if options["verbosity"] > 0 else (lambda line: None)
        work = new_work_directory(output)
        try:
            if options["dataset"]:
                from recognizer.datasets.training import with_datasets

                config = with_datasets(config, options["dataset"], work)
            metrics = train(config, work, name=name, command=command_line("train", options, RECORDED_OPTIONS), log=log,
                            callbacks=options.get("callbacks", ()))
            version = model_version_register(work_dir=work, destination=output, metrics=metrics, replace=True)
        except (MnistFormatError, ValueError) as err:
            raise CommandError(f"training failed, nothing was registered: {err}") from err
        finally:
            shutil.rmtree(work, ignore_errors=True)  # gone already when it was moved into place
        if options["activate"]:
            try:
                model_version_activate(version=version)
            except ModelUnavailable as err:
                raise CommandError(f"{version.name} was registered but cannot be activated: {err.detail}") from err
        accuracy = metrics["evaluations"]["mnist_test"]["accuracy"]
        state = "active" if version.is_active else "registered, not active"
        self.stdout.write(self.style.SUCCESS(
            f"{version.name} ({state}) in {output}: MNIST test accuracy {100 * accuracy:.2f}% "
            f"({metrics['training']['epochs_run']} epochs, {metrics['training']['seconds'] / 60:.1f} min)"
        ))
