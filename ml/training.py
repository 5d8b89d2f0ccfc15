"""Training as a library: data → model → fit → evaluate → export → metrics report.

The entry points (`python -m ml.train`, `manage.py train`, `manage.py retrain`) parse options and call
these functions; nothing here parses a command line or knows about Django. `train` writes into a
directory it is given: model.keras, model.tflite, metrics.json (written by this run only) and the plots.
"""
from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # keep TensorFlow's C++ start-up chatter out of the progress

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from ml import artifacts, plots, report
from ml.augment import AugmentConfig, augment_batch
from ml.data import load_mnist
from ml.calibration import Calibration, choose_threshold, fit_temperature
from ml.datasets import OTHER_WRITERS, MixConfig, ValidationSets, training_mix, validation_sets
from ml.export import check_export, export_tflite
from ml.metrics import reliability, roc_auc
from ml.predictor import ALL_CORES, Predictor
from ml.model import build_model
from ml.preprocess import to_model_input

Log = Callable[[str], None]


@dataclass
class TrainConfig:
    mnist_dir: str | None = None  # None: $MNIST_DIR, else Keras's downloader
    architecture: str = "default"  # a key of ml.model.ARCHITECTURES
    epochs: int = 10  # upper bound; early stopping may end sooner (10 epochs: ~14 min on 2 idle cores)
    batch_size: int = 128
    peak_learning_rate: float = 2e-3  # Adam; reached after the warm-up, then cosine decay to 1% of it
    patience: int = 4  # epochs without validation-loss improvement before stopping (best weights kept)
    seed: int = 42  # fixes weight init, shuffling and augmentation
    train_limit: int | None = None  # at most N images of each source, MNIST's first N (quick runs and tests)
    augment: AugmentConfig = field(default_factory=AugmentConfig)
    mix: MixConfig = field(default_factory=MixConfig)  # what beyond MNIST is learned (ml.datasets)
    validation_size: int | None = None  # cap on each validation set (quick runs and tests); None: all
    refuse_at_most: float = 0.006  # share of the real digits of each validation set the threshold may refuse


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
    validation: tuple[np.ndarray, ...],
    config: TrainConfig,
    log: Log = print,
    callbacks: tuple = (),
) -> dict:
    """Train `model` in place (early stopping restores the best epoch on `validation`: (x, y) or
    (x, y, sample weights)); returns the Keras history. `callbacks` are extra Keras callbacks (a background
    job's progress and cancel check)."""
    keras.utils.set_random_seed(config.seed)
    dataset = make_dataset(*train, config)
    compile_model(model, config, steps_per_epoch=len(dataset))
    history = model.fit(
        dataset,
        validation_data=(validation[0][..., None], *validation[1:]),
        epochs=config.epochs,
        verbose=0,
        callbacks=[
            keras.callbacks.EarlyStopping(
                monitor="val_loss", patience=config.patience, restore_best_weights=True
            ),
            ProgressLog(config.epochs, log),
            *callbacks,
        ],
    )
    return {key: [float(v) for v in values] for key, values in history.history.items()}


def environment() -> dict:
    return report.environment(tensorflow=tf.__version__, keras=keras.__version__)


def save_model(model: keras.Model, output: Path, test_x: np.ndarray, log: Log = print) -> dict:
    """Write the Keras model and its `.tflite` export into `output`; returns the export check."""
    output.mkdir(parents=True, exist_ok=True)
    model.save(output / artifacts.KERAS_MODEL)
    export_tflite(model, output / artifacts.TFLITE_MODEL)
    check = check_export(model, output / artifacts.TFLITE_MODEL, test_x)
    log(
        f"export check: LiteRT agrees with Keras on {100 * check['label_agreement']:.2f}% "
        f"of {check['images']} test images (max logit difference {check['max_logit_difference']:.2e})"
    )
    return check


def write_report(output: Path, run: report.Report) -> dict:
    """The metrics file and its plots, beside the model. Returns the report as stored."""
    if run.training.get("history"):
        plots.plot_training_curves(run.training["history"], output / artifacts.CURVES_PLOT)
        run.plots["training_curves"] = artifacts.CURVES_PLOT
    plots.plot_confusion_matrix(run.evaluations[report.MNIST_TEST]["confusion_matrix"], output / artifacts.CONFUSION_PLOT)
    run.plots["confusion_matrix"] = artifacts.CONFUSION_PLOT
    if any(figures.get("reliability") for figures in run.evaluations.values()):
        plots.plot_reliability(run.evaluations, output / artifacts.RELIABILITY_PLOT)
        run.plots["reliability"] = artifacts.RELIABILITY_PLOT
    metrics = run.to_dict()
    artifacts.write_metrics(output, metrics)
    return metrics


def train(
    config: TrainConfig, output: Path, *, name: str, command: str = "", log: Log = print, callbacks: tuple = ()
) -> dict:
    """The whole run: data → model → fit → export → calibrate → measure, written into `output` (which the
    caller moves into place). Returns the metrics report; every figure is for the weights kept, served
    through LiteRT exactly as the site serves them."""
    started = time.monotonic()
    mnist = load_mnist(config.mnist_dir)
    train_x, train_y = mnist.train_x, mnist.train_y
    if config.train_limit:
        train_x, train_y = train_x[: config.train_limit], train_y[: config.train_limit]
    log(f"data: MNIST {len(train_x)} train, {len(mnist.val_x)} validation, {len(mnist.test_x)} test images")
    mnist_x, val_x, test_x = prepare(train_x), prepare(mnist.val_x), prepare(mnist.test_x)
    log("training mix:")
    mix = training_mix(mnist_x, train_y, config.mix, config.seed, log, limit=config.train_limit)
    log(f"validation sets: building ({time.monotonic() - started:.0f}s so far)")
    validation = validation_sets(mnist, val_x, size=config.validation_size)

    keras.utils.set_random_seed(config.seed)
    model = build_model(config.architecture)
    log(f"model: {config.architecture}, {model.count_params():,} parameters; {len(mix.x):,} training images")
    history = fit(model, (mix.x, mix.y), validation.early_stopping(), config, log, callbacks)
    training_seconds = time.monotonic() - started

    export_check = save_model(model, output, test_x, log)
    predictor = Predictor(output / artifacts.TFLITE_MODEL, num_threads=ALL_CORES)
    calibration, evaluations, not_a_digit = measure(predictor, validation, (test_x, mnist.test_y), config.refuse_at_most)
    log(summary(evaluations, calibration))
    run = report.Report(
        version=name,
        kind="trained",
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        architecture=config.architecture,
        parameters=int(model.count_params()),
        command=command,
        code_revision=report.code_revision(),
        config=asdict(config),
        data={**mix.sources, "mnist_validation": report.data_source(mnist.val_x, mnist.val_y)},
        evaluations=evaluations,
        training=training_summary(history, training_seconds),
        serving=calibration.to_dict(),
        not_a_digit=not_a_digit,
        environment=environment(),
        export_check=export_check,
    )
    return write_report(output, run)


def measure(predictor: Predictor, validation: ValidationSets, test: tuple[np.ndarray, np.ndarray], refuse_at_most: float):
    """Fit the temperature on other writers' digits, choose the not-a-digit threshold on every validation
    digit set, then measure every set (and MNIST test) with that calibration. Returns (calibration,
    evaluations, not-a-digit summary)."""
    raw = {name: predictor.raw(x) for name, (x, _) in validation.digits.items()}
    other = [name for name in OTHER_WRITERS if name in raw]
    temperature = fit_temperature(np.concatenate([raw[n] for n in other]), np.concatenate([validation.digits[n][1] for n in other]))
    scorer = Calibration(output="logits", temperature=temperature)
    scores_per_set = [scorer.apply(r)[1] for r in raw.values()]
    threshold = min(choose_threshold(scores, refuse_at_most) for scores in scores_per_set)  # each set, not just the sum
    digit_scores = np.concatenate(scores_per_set)
    calibration = Calibration(output="logits", temperature=temperature, digit_threshold=threshold)
    predictor.calibration = calibration

    evaluations = {report.MNIST_TEST: evaluate_served(predictor, *test, threshold)}
    for name, (x, y) in validation.digits.items():
        evaluations[name] = evaluate_served(predictor, x, y, threshold)
    nondigit_scores = {}
    for name, x in validation.nondigits.items():
        nondigit_scores[name] = predictor.outputs(x)[1]
        evaluations[name] = report.nondigit_evaluation(nondigit_scores[name], threshold)
    all_nondigits = np.concatenate(list(nondigit_scores.values()))
    not_a_digit = {
        "threshold": threshold,
        "refuse_at_most": refuse_at_most,
        "refused_digits": float((digit_scores < threshold).mean()),
        "refused_nondigits": float((all_nondigits < threshold).mean()),
        "auroc": roc_auc(np.concatenate([digit_scores, all_nondigits]),
                         np.concatenate([np.ones(len(digit_scores)), np.zeros(len(all_nondigits))])),
    }
    return calibration, evaluations, not_a_digit


def evaluate_served(predictor: Predictor, x: np.ndarray, y: np.ndarray, threshold: float | None) -> dict:
    """Figures for labelled digits as the site would answer them (LiteRT, calibrated), with reliability bins."""
    probabilities, digit_scores = predictor.outputs(x)
    figures = report.evaluation(y, probabilities, digit_scores=digit_scores, digit_threshold=threshold)
    figures["reliability"] = reliability(y, probabilities)
    return figures


def summary(evaluations: dict, calibration: Calibration) -> str:
    lines = [f"temperature {calibration.temperature:.3f}, not-a-digit threshold {calibration.digit_threshold:.4f}",
             f"{'set':<24}{'count':>7}{'accuracy':>10}{'ECE':>8}{'refused':>9}"]
    for name, f in evaluations.items():
        accuracy = "" if f.get("accuracy") is None else f"{100 * f['accuracy']:.2f}%"
        ece = "" if f.get("ece") is None else f"{100 * f['ece']:.2f}%"
        refused = "" if f.get("refused") is None else f"{100 * f['refused']:.2f}%"
        lines.append(f"{name:<24}{f['count']:>7}{accuracy:>10}{ece:>8}{refused:>9}")
    return "\n".join(lines)


def training_summary(history: dict, seconds: float) -> dict:
    """The report's `training` section: how long the run was and which epoch's weights it kept."""
    return {
        "epochs_run": len(history["loss"]),
        "best_epoch": best_epoch(history),
        "seconds": round(seconds, 1),
        "history": history,
    }


def best_epoch(history: dict) -> int:
    """The epoch whose weights early stopping kept (1-based): the lowest validation loss."""
    return int(np.argmin(history["val_loss"])) + 1
