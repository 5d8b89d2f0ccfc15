"""Train a digit model on MNIST, evaluate it on the 10,000 test images, and export it for serving.

    python -m ml.train --mnist-dir ../shared/data/mnist --output ml/artifacts
    python manage.py train ...            (the same options)

Writes into the output directory: model.keras, model.tflite, metrics.json (written by this run only),
training_curves.png and confusion_matrix.png.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out of the progress

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ml import artifacts, plots
from ml.augment import AugmentConfig, augment_batch
from ml.data import load_mnist
from ml.export import check_export, export_tflite
from ml.metrics import classification_report
from ml.model import ARCHITECTURES, build_model
from ml.preprocess import to_model_input

Log = Callable[[str], None]


@dataclass
class TrainConfig:
    mnist_dir: str | None = None  # None: $MNIST_DIR, else Keras's downloader
    architecture: str = "default"  # a key of ml.model.ARCHITECTURES
    epochs: int = 30  # upper bound; early stopping usually ends sooner
    batch_size: int = 128
    peak_learning_rate: float = 2e-3  # Adam; reached after the warm-up, then cosine decay to 1% of it
    patience: int = 6  # epochs without validation-loss improvement before stopping (best weights kept)
    seed: int = 42  # fixes weight init, shuffling and augmentation
    train_limit: int | None = None  # use only the first N training images (quick runs and tests)
    augment: AugmentConfig = field(default_factory=AugmentConfig)


def prepare(images: np.ndarray) -> np.ndarray:
    """uint8 MNIST images → model inputs through the serving pipeline (so training sees what serving sees)."""
    return np.stack([to_model_input(image) for image in images]).astype(np.float32)


def make_dataset(x: np.ndarray, y: np.ndarray, config: TrainConfig) -> tf.data.Dataset:
    augment = config.augment
    return (
        tf.data.Dataset.from_tensor_slices((x[..., None], y))
        .shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
        .batch(config.batch_size)
        .map(lambda images, labels: (augment_batch(images, augment), labels), num_parallel_calls=tf.data.AUTOTUNE)
        .prefetch(tf.data.AUTOTUNE)
    )


def compile_model(model: keras.Model, config: TrainConfig, steps_per_epoch: int) -> None:
    """Adam with a linear warm-up (one epoch, or a tenth of a short run) then cosine decay to 1% of peak."""
    total_steps = steps_per_epoch * config.epochs
    warmup_steps = min(steps_per_epoch, max(1, total_steps // 10))
    schedule = keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=config.peak_learning_rate / 20,
        warmup_target=config.peak_learning_rate,
        warmup_steps=warmup_steps,
        decay_steps=max(1, total_steps - warmup_steps),
        alpha=0.01,
    )
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )


class ProgressLog(keras.callbacks.Callback):
    """One line per epoch with losses, accuracies, time and an estimate of the time left."""

    def __init__(self, epochs: int, log: Log):
        super().__init__()
        self.epochs, self.log = epochs, log
        self.started = self.epoch_started = 0.0

    def on_train_begin(self, logs=None):
        self.started = time.monotonic()

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch_started = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        now = time.monotonic()
        per_epoch = (now - self.started) / (epoch + 1)
        left = per_epoch * (self.epochs - epoch - 1)
        self.log(
            f"epoch {epoch + 1:>2}/{self.epochs}  loss {logs['loss']:.4f}  acc {100 * logs['accuracy']:.2f}%  "
            f"val_loss {logs['val_loss']:.4f}  val_acc {100 * logs['val_accuracy']:.2f}%  "
            f"{now - self.epoch_started:.0f}s  (at most ~{left / 60:.1f} min left)"
        )


def fit(
    model: keras.Model,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    config: TrainConfig,
    log: Log = print,
) -> dict:
    """Train `model` in place (early stopping restores the best epoch); returns the Keras history."""
    keras.utils.set_random_seed(config.seed)
    dataset = make_dataset(*train, config)
    compile_model(model, config, steps_per_epoch=len(dataset))
    history = model.fit(
        dataset,
        validation_data=(validation[0][..., None], validation[1]),
        epochs=config.epochs,
        verbose=0,
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.patience, restore_best_weights=True
            ),
            ProgressLog(config.epochs, log),
        ],
    )
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def evaluate(model: keras.Model, x: np.ndarray, y: np.ndarray) -> dict:
    probabilities = model.predict(x[..., None], batch_size=500, verbose=0)
    return classification_report(y, probabilities)


def environment() -> dict:
    return {
        "python": platform.python_version(),
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "platform": platform.platform(),
    }


def save_model(model: keras.Model, output: Path, test_x: np.ndarray, log: Log = print) -> dict:
    """Write the Keras model and its `.tflite` export into `output`; returns the export check."""
    output.mkdir(parents=True, exist_ok=True)
    model.save(output / artifacts.KERAS_MODEL)
    export_tflite(model, output / artifacts.TFLITE_MODEL)
    check = check_export(model, output / artifacts.TFLITE_MODEL, test_x)
    log(
        f"export check: LiteRT agrees with Keras on {100 * check['label_agreement']:.2f}% "
        f"of {check['images']} test images (max probability difference {check['max_probability_difference']:.2e})"
    )
    return check


def write_report(output: Path, metrics: dict) -> dict:
    """The metrics file and its plots, beside the model."""
    if metrics.get("history"):
        plots.plot_training_curves(metrics["history"], output / artifacts.CURVES_PLOT)
    plots.plot_confusion_matrix(metrics["test"]["confusion_matrix"], output / artifacts.CONFUSION_PLOT)
    artifacts.write_metrics(output, metrics)
    return metrics


def train(config: TrainConfig, output: Path, *, command: str = "", log: Log = print) -> dict:
    """The whole run: data → model → fit → evaluate on test → export → metrics file. Returns the metrics."""
    started = time.monotonic()
    mnist = load_mnist(config.mnist_dir)
    train_x, train_y = mnist.train_x, mnist.train_y
    if config.train_limit:
        train_x, train_y = train_x[: config.train_limit], train_y[: config.train_limit]
    log(f"data: {len(train_x)} train, {len(mnist.val_x)} validation, {len(mnist.test_x)} test images")
    train_x, val_x, test_x = prepare(train_x), prepare(mnist.val_x), prepare(mnist.test_x)

    keras.utils.set_random_seed(config.seed)
    model = build_model(config.architecture)
    log(f"model: {config.architecture}, {model.count_params():,} parameters")
    history = fit(model, (train_x, train_y), (val_x, mnist.val_y), config, log)
    training_seconds = time.monotonic() - started

    test = evaluate(model, test_x, mnist.test_y)
    test_raw = evaluate(model, mnist.test_x.astype(np.float32) / 255.0, mnist.test_y)
    log(f"MNIST test accuracy: {100 * test['accuracy']:.2f}% through the pipeline, "
        f"{100 * test_raw['accuracy']:.2f}% on the raw images")
    created = datetime.now(timezone.utc)
    metrics = {
        "version": f"{config.architecture}-{created:%Y%m%d-%H%M%S}",
        "architecture": config.architecture,
        "parameters": int(model.count_params()),
        "created": created.isoformat(timespec="seconds"),
        "command": command,
        "config": asdict(config),
        "data": {"train": len(train_x), "validation": len(val_x), "test": len(test_x)},
        "epochs_run": len(history["loss"]),
        "best_epoch": int(np.argmin(history["val_loss"])) + 1,
        "training_seconds": round(training_seconds, 1),
        "validation": {"accuracy": float(max(history["val_accuracy"]))},
        "test": test,
        "test_raw_images": {"accuracy": test_raw["accuracy"], "errors": test_raw["errors"]},
        "history": history,
        "environment": environment(),
        "export_check": save_model(model, output, test_x, log),
    }
    return write_report(output, metrics)


def parser() -> argparse.ArgumentParser:
    defaults = TrainConfig()
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(p, defaults)
    return p


def add_arguments(p, defaults: TrainConfig = TrainConfig()) -> None:
    """Shared by `python -m ml.train` and `manage.py train`."""
    p.add_argument("--mnist-dir", default=defaults.mnist_dir,
                   help="directory with the four MNIST IDX files (.gz or not); default: $MNIST_DIR, "
                        "else Keras downloads MNIST (needs internet)")
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
                   help="train on only the first N of the 55,000 training images (quick runs)")
    p.add_argument("--output", default=None,
                   help="directory for the model, .tflite, metrics and plots (default var/models/<version>)")


def config_from(options: dict) -> TrainConfig:
    return TrainConfig(
        mnist_dir=options["mnist_dir"],
        architecture=options["architecture"],
        epochs=options["epochs"],
        batch_size=options["batch_size"],
        patience=options["patience"],
        seed=options["seed"],
        train_limit=options["train_limit"],
    )


def default_output(config: TrainConfig) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
    return Path("var") / "models" / f"{config.architecture}-{stamp}"


def main(argv: list[str] | None = None) -> int:
    options = vars(parser().parse_args(argv))
    config = config_from(options)
    output = Path(options["output"]) if options["output"] else default_output(config)
    metrics = train(config, output, command="python -m ml.train " + " ".join(argv or sys.argv[1:]))
    print(f"wrote {output}: test accuracy {100 * metrics['test']['accuracy']:.2f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
