"""Command line: train a digit model and write it into a directory (no database involved).

    python -m ml.train --mnist-dir ../shared/data/mnist --output /tmp/run
    python manage.py train ...     (the same options; also registers the result as a model version)

Only parses options and calls `ml.training`. The output directory is written atomically: the run works in
a temporary sibling and renames it into place when everything, metrics included, is written.
"""
from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from ml.artifacts import move_into_place, new_work_directory

QUICK_EPOCHS = 3
QUICK_MNIST = 10_000
QUICK_VALIDATION = 500  # images per validation set


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Shared by `python -m ml.train` and `manage.py train`."""
    from ml.model import ARCHITECTURES
    from ml.training import TrainConfig

    defaults = TrainConfig()
    p.add_argument("--mnist-dir", default=defaults.mnist_dir,
                   help="directory with the four MNIST IDX files (.gz or not); default: $MNIST_DIR")
    p.add_argument("--architecture", choices=sorted(ARCHITECTURES), default=defaults.architecture,
                   help="network to train: 'default' (what the site ships) or 'seed' (the Flask demo's CNN)")
    p.add_argument("--epochs", type=int, default=defaults.epochs,
                   help=f"maximum number of epochs; early stopping may end sooner (default {defaults.epochs})")
    p.add_argument("--batch-size", type=int, default=defaults.batch_size,
                   help=f"images per training step (default {defaults.batch_size})")
    p.add_argument("--patience", type=int, default=defaults.patience,
                   help=f"epochs without validation improvement before stopping (default {defaults.patience})")
    p.add_argument("--seed", type=int, default=defaults.seed, help=f"random seed (default {defaults.seed})")
    p.add_argument("--train-limit", type=int, default=None,
                   help="train on at most N images of each source: the first N of MNIST's 55,000, N of each "
                        "other (quick runs and tests)")
    p.add_argument("--quick", action="store_true",
                   help="a development run in a few minutes: 10,000 MNIST images, a small mix of the other "
                        "sources, 3 epochs, validation sets of 500 (its figures are not the shipped model's)")
    p.add_argument("--output", default=None,
                   help="directory for the model, .tflite, metrics and plots, replaced if it exists "
                        "(manage.py train: default MODEL_DIR/<version>)")


def config_from(options: dict):
    from ml.datasets import QUICK_MIX, MixConfig
    from ml.training import TrainConfig

    quick = options.get("quick")
    return TrainConfig(
        mnist_dir=options["mnist_dir"],
        architecture=options["architecture"],
        epochs=min(options["epochs"], QUICK_EPOCHS) if quick else options["epochs"],
        batch_size=options["batch_size"],
        patience=options["patience"],
        seed=options["seed"],
        train_limit=options["train_limit"] or (QUICK_MNIST if quick else None),
        mix=QUICK_MIX if quick else MixConfig(),
        validation_size=QUICK_VALIDATION if quick else None,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser)
    options = vars(parser.parse_args(argv))
    if not options["output"]:
        parser.error("--output is required (manage.py train picks a directory and registers the version)")
    from ml.report import version_name
    from ml.training import train

    config = config_from(options)
    output = Path(options["output"])
    work = new_work_directory(output)
    try:
        metrics = train(config, work, name=version_name(config.architecture),
                        command="python -m ml.train " + " ".join(argv if argv is not None else sys.argv[1:]))
        move_into_place(work, output, replace=True)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    print(f"wrote {output}: MNIST test accuracy {100 * metrics['evaluations']['mnist_test']['accuracy']:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
