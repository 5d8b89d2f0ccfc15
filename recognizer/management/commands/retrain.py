from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from ml.finetune import KEEP_FINE_TUNED, FinetuneConfig
from ml.promotion import Gate
from recognizer.jobs.commands import BACKGROUND_HELP, enqueue_from_command
from recognizer.management.commandline import command_line
from recognizer.retraining import PROMOTE_CHOICES, RetrainError, RetrainOptions, model_version_retrain

RECORDED_OPTIONS = (
    "epochs", "min_labels", "mnist_dir", "mnist_limit", "from_scratch", "reprocess", "holdout_percent", "promote",
    "max_mnist_drop", "min_held_out", "significance", "validation_percent", "refresher_scale", "drawing_share",
    "max_mnist_validation_drop",
    "learning_rate", "batch_size", "seed",
)


class Command(BaseCommand):
    stealth_options = ("callbacks",)  # extra Keras callbacks, from a background job (recognizer/jobs)
    help = (
        "Turn staff-confirmed drawings into a new model version. Fine-tunes the active model on the "
        "confirmed drawings mixed with MNIST (so it does not forget), measures it against the active "
        "model on the MNIST test set and on held-out confirmed drawings, stores it under "
        "MODEL_DIR/<version>/ and activates it if it passes the promotion gate. Running web processes "
        "switch to a newly active version on their next request."
    )

    def add_arguments(self, parser):
        finetune, gate = FinetuneConfig(), Gate()
        parser.add_argument("--epochs", type=int, default=finetune.epochs,
                            help=f"passes over MNIST + drawings (default {finetune.epochs}; ~30 with --from-scratch)")
        parser.add_argument("--min-labels", type=int, default=20,
                            help="refuse to run with fewer staff-confirmed drawings than this (default 20)")
        parser.add_argument("--mnist-dir", default=None,
                            help="directory of the four MNIST IDX files (default: the MNIST_DIR setting)")
        parser.add_argument("--mnist-limit", type=int, default=None,
                            help="mix in only the first N of the 55,000 MNIST training images (quick runs)")
        parser.add_argument("--from-scratch", action="store_true",
                            help="train a new network on MNIST + drawings instead of fine-tuning the active one")
        parser.add_argument("--reprocess", action="store_true",
                            help="re-run preprocessing on the stored original uploads instead of using the "
                                 "stored 28x28 inputs (after a preprocessing change)")
        parser.add_argument("--holdout-percent", type=int, default=20,
                            help="percent of confirmed drawings held out to measure candidates, chosen by "
                                 "drawing id so a drawing always stays on the same side (default 20)")
        parser.add_argument("--promote", choices=PROMOTE_CHOICES, default="auto",
                            help="auto: activate only if the gate passes; never: store the candidate only; "
                                 "always: activate it whatever the gate says (default auto)")
        parser.add_argument("--max-mnist-drop", type=float, default=100 * gate.max_mnist_drop,
                            help="gate: the most MNIST-test accuracy, in points, a candidate may lose "
                                 f"(default {100 * gate.max_mnist_drop:g})")
        parser.add_argument("--min-held-out", type=int, default=gate.min_held_out,
                            help="gate: refuse to promote when fewer held-out drawings than this can judge the "
                                 f"candidate (default {gate.min_held_out})")
        parser.add_argument("--significance", type=float, default=gate.significance,
                            help="gate: the candidate must fix more held-out drawings than it breaks, with a "
                                 f"one-sided exact McNemar p-value at most this (default {gate.significance:g})")
        parser.add_argument("--validation-percent", type=int, default=15,
                            help="percent of the non-held-out drawings (by id) that choose the epoch and refit "
                                 "the calibration instead of training (default 15)")
        parser.add_argument("--refresher-scale", type=float, default=finetune.refresher_scale,
                            help="scale of the sample of other writers' digits and non-digits mixed in so the "
                                 f"model forgets nothing (default {finetune.refresher_scale:g}; 0 leaves them out)")
        parser.add_argument("--drawing-share", type=float, default=finetune.drawing_share,
                            help="repeat drawings until they are about this share of each epoch "
                                 f"(default {finetune.drawing_share})")
        parser.add_argument("--max-mnist-validation-drop", type=float, default=finetune.max_mnist_validation_drop,
                            help="mix the fine-tuned weights with the active version's, keeping as much of the "
                                 "fine-tuning as fits the validation drawings best while losing at most this many "
                                 "points of MNIST validation accuracy (default "
                                 f"{finetune.max_mnist_validation_drop:g}; {KEEP_FINE_TUNED} keeps the fine-tuned weights as they are)")
        parser.add_argument("--learning-rate", type=float, default=finetune.learning_rate,
                            help=f"peak Adam learning rate (default {finetune.learning_rate:g})")
        parser.add_argument("--batch-size", type=int, default=finetune.batch_size,
                            help=f"images per training step (default {finetune.batch_size})")
        parser.add_argument("--seed", type=int, default=finetune.seed,
                            help=f"random seed for weights, shuffling and augmentation (default {finetune.seed})")
        parser.add_argument("--dry-run", action="store_true",
                            help="report which drawings would train and which are held out; change nothing")
        parser.add_argument("--background", action="store_true", help=BACKGROUND_HELP)

    def handle(self, *args, **options):
        if options["background"] and not options["dry_run"]:
            return enqueue_from_command(self, "retrain", options, RECORDED_OPTIONS)
        retrain_options = RetrainOptions(
            finetune=FinetuneConfig(
                epochs=options["epochs"],
                batch_size=options["batch_size"],
                learning_rate=options["learning_rate"],
                drawing_share=options["drawing_share"],
                mnist_limit=options["mnist_limit"],
                from_scratch=options["from_scratch"],
                refresher_scale=options["refresher_scale"],
                max_mnist_validation_drop=options["max_mnist_validation_drop"],
                seed=options["seed"],
            ),
            min_labels=options["min_labels"],
            holdout_percent=options["holdout_percent"],
            validation_percent=options["validation_percent"],
            reprocess=options["reprocess"],
            promote=options["promote"],
            gate=Gate(max_mnist_drop=options["max_mnist_drop"] / 100, min_held_out=options["min_held_out"],
                      significance=options["significance"]),
            mnist_dir=str(options["mnist_dir"] or settings.MNIST_DIR),
            dry_run=options["dry_run"],
            command=command_line("retrain", options, RECORDED_OPTIONS),
        )
        quiet = options["verbosity"] == 0
        log = (lambda line: None) if quiet else self.stdout.write
        try:
            result = model_version_retrain(options=retrain_options, log=log, callbacks=options.get("callbacks", ()))
        except RetrainError as err:
            raise CommandError(str(err)) from err
        except Exception as err:  # data, disk, TensorFlow: whatever failed, nothing was registered or activated
            raise CommandError(f"retraining failed, nothing was changed: {type(err).__name__}: {err}") from err
        plan = result.plan
        if retrain_options.dry_run:
            self.stdout.write(
                f"dry run: active model {plan.active.name}; {len(plan.train.ids)} confirmed drawings would "
                f"train, {len(plan.validation.ids)} validate, {len(plan.held_out.ids)} are held out; "
                f"{len(plan.skipped)} unusable. Nothing changed."
            )
            for drawing_id, why in plan.skipped.items():
                self.stdout.write(f"  unusable {drawing_id}: {why}")
            return
        outcome = "now active" if result.promoted else "stored, not active"
        style = self.style.SUCCESS if result.promoted else self.style.WARNING
        self.stdout.write(style(f"{result.version.name}: {outcome} ({result.reason})"))
