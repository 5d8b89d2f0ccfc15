"""Turn staff-confirmed drawings into a new, measured model version, promoted only if it is better.

The flow (`model_version_retrain`): pick the confirmed drawings and split them by id into training and
held-out sets; fine-tune the active model on MNIST mixed with the training drawings; export and
measure candidate and active model side by side with LiteRT on the MNIST test set and the held-out
drawings; write the version's files into a temporary directory and move it into place in one step;
register the version, and activate it only if the promotion gate (or `--promote=always`) says so.
Nothing is registered and the active model is untouched if any step fails.

TensorFlow is imported inside the functions that need it: web processes import this module's
neighbours, never this one, but keep it cheap anyway.
"""
from __future__ import annotations

import shutil
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np
from django.conf import settings
from django.db import transaction

from ml import artifacts
from ml.finetune import FinetuneConfig
from ml.predictor import Predictor
from ml.preprocess import DrawingError, png_to_input, preprocess
from ml.promotion import Comparison, Gate, compare, is_held_out

from recognizer.models import Drawing, ModelVersion
from recognizer.selectors import model_version_get_active
from recognizer.services import model_version_activate

Log = Callable[[str], None]
PROMOTE_CHOICES = ("never", "auto", "always")


class RetrainError(Exception):
    """Retraining cannot go ahead or failed; the message says why and what to do."""


@dataclass
class RetrainOptions:
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    min_labels: int = 20  # refuse with fewer confirmed drawings than this
    holdout_percent: int = 20  # share of confirmed drawings (by id) kept for measuring candidates
    reprocess: bool = False  # re-run preprocessing on the stored originals instead of the stored inputs
    promote: str = "auto"  # never | auto (the gate decides) | always
    gate: Gate = field(default_factory=Gate)
    mnist_dir: str | None = None
    dry_run: bool = False
    command: str = ""


@dataclass
class LabelledDrawings:
    ids: list[str]
    inputs: np.ndarray  # (N, 28, 28) float32
    labels: np.ndarray  # (N,) int64

    @classmethod
    def empty(cls) -> "LabelledDrawings":
        return cls([], np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64))


@dataclass
class RetrainPlan:
    active: ModelVersion
    train: LabelledDrawings
    held_out: LabelledDrawings
    skipped: dict[str, str]  # drawing id → why it could not be used (only with reprocess)


@dataclass
class RetrainResult:
    """The plan, and unless it was a dry run the stored version; its metrics hold both evaluations."""

    plan: RetrainPlan
    version: ModelVersion | None = None
    reason: str = ""  # why the gate passed or refused
    promoted: bool = False


def retrain_plan(*, options: RetrainOptions) -> RetrainPlan:
    """Which confirmed drawings train and which are held out; raises RetrainError when too few."""
    active = model_version_get_active()
    confirmed = Drawing.objects.filter(confirmed_label__isnull=False).order_by("created", "id")
    count = confirmed.count()
    if count < options.min_labels:
        raise RetrainError(
            f"only {count} drawing(s) have a staff-confirmed label; retraining needs at least "
            f"{options.min_labels}. Confirm more labels in the admin, or lower --min-labels."
        )
    fields = ["id", "confirmed_label", "image" if options.reprocess else "input_png"]
    train, held_out, skipped = ([], [], []), ([], [], []), {}
    for drawing_id, label, blob in confirmed.values_list(*fields).iterator(chunk_size=500):
        try:
            x = preprocess(bytes(blob)) if options.reprocess else png_to_input(bytes(blob))
        except DrawingError as err:
            skipped[str(drawing_id)] = str(err)
            continue
        side = held_out if is_held_out(drawing_id, options.holdout_percent) else train
        for column, value in zip(side, (str(drawing_id), x, label)):
            column.append(value)
    return RetrainPlan(active, _labelled(*train), _labelled(*held_out), skipped)


def _labelled(ids, inputs, labels) -> LabelledDrawings:
    if not ids:
        return LabelledDrawings.empty()
    return LabelledDrawings(list(ids), np.stack(inputs).astype(np.float32), np.asarray(labels, dtype=np.int64))


def model_version_retrain(*, options: RetrainOptions, log: Log = print) -> RetrainResult:
    plan = retrain_plan(options=options)
    result = RetrainResult(plan)
    if options.dry_run:
        return result
    if options.promote not in PROMOTE_CHOICES:
        raise RetrainError(f"--promote must be one of {', '.join(PROMOTE_CHOICES)}")
    if len(plan.train.ids) == 0:
        raise RetrainError("every confirmed drawing fell in the held-out set; confirm more labels")
    base_model = None if options.finetune.from_scratch else plan.active.artifact_path.parent / artifacts.KERAS_MODEL
    if base_model is not None and not base_model.is_file():
        raise RetrainError(f"the active version has no Keras model to fine-tune ({base_model}); use --from-scratch")

    started = datetime.now(timezone.utc)
    kind = "scratch" if options.finetune.from_scratch else "ft"
    name = f"{kind}-{started:%Y%m%d-%H%M%S}"
    model_dir = Path(settings.MODEL_DIR)
    final_dir, work_dir = model_dir / name, model_dir / f".{name}.partial"
    if final_dir.exists() or ModelVersion.objects.filter(name=name).exists():
        raise RetrainError(f"version {name} already exists; try again in a second")
    work_dir.mkdir(parents=True, exist_ok=False)
    try:
        metrics = _train_and_measure(plan, options, base_model, work_dir, name, log)
        result.reason, result.promoted = metrics["promotion"]["reason"], metrics["promotion"]["promoted"]
        work_dir.rename(final_dir)
    except BaseException:
        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    try:
        result.version = _register(name, final_dir, metrics, plan, promote=result.promoted)
    except BaseException:
        shutil.rmtree(final_dir, ignore_errors=True)
        raise
    return result


def _train_and_measure(
    plan: RetrainPlan, options: RetrainOptions, base_model: Path | None, work_dir: Path, name: str, log: Log
) -> dict:
    from ml.data import load_mnist
    from ml.finetune import finetune, mix
    from ml.metrics import classification_report
    from ml.train import environment, prepare, save_model, write_report

    config = options.finetune
    clock = time.monotonic()
    log(f"training on {len(plan.train.ids)} confirmed drawings, {len(plan.held_out.ids)} held out; "
        f"{'from scratch' if config.from_scratch else f'fine-tuning {plan.active.name}'}")
    mnist = load_mnist(options.mnist_dir)
    limit = config.mnist_limit or len(mnist.train_x)
    mnist_train = prepare(mnist.train_x[:limit])
    val_x, test_x = prepare(mnist.val_x), prepare(mnist.test_x)
    train_x, train_y, repeats = mix(
        mnist_train, mnist.train_y[:limit], plan.train.inputs, plan.train.labels, config.drawing_share
    )
    log(f"mix: {len(mnist_train)} MNIST images + {len(plan.train.ids)} drawings x{repeats}; "
        f"{config.epochs} epoch(s) of {int(np.ceil(len(train_x) / config.batch_size))} steps")
    model, history = finetune(base_model, (train_x, train_y), (val_x, mnist.val_y), config, log)

    export_check = save_model(model, work_dir, test_x, log)
    active, candidate = Predictor(plan.active.artifact_path), Predictor(work_dir / artifacts.TFLITE_MODEL)
    candidate_test = candidate.probabilities(test_x)
    mnist_cmp = compare(active.probabilities(test_x).argmax(1), candidate_test.argmax(1), mnist.test_y)
    held_x, held_y = plan.held_out.inputs, plan.held_out.labels
    held_cmp = compare(active.probabilities(held_x).argmax(1), candidate.probabilities(held_x).argmax(1), held_y)
    passed, reason = options.gate.decide(mnist_cmp, held_cmp)
    promoted = options.promote == "always" or (options.promote == "auto" and passed)
    log(_table(mnist_cmp, held_cmp))
    log(f"promotion gate: {'passed' if passed else 'refused'} ({reason}); "
        f"--promote={options.promote}: {'promoting' if promoted else 'not promoting'} {name}")

    metrics = {
        "version": name,
        "architecture": model.name,
        "parameters": int(model.count_params()),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "command": options.command,
        "parent": None if config.from_scratch else plan.active.name,
        "config": {**asdict(config), "holdout_percent": options.holdout_percent, "reprocess": options.reprocess},
        "data": {
            "mnist_train": int(len(mnist_train)),
            "drawings": len(plan.train.ids),
            "drawing_repeats": repeats,
            "held_out_drawings": len(plan.held_out.ids),
            "validation": int(len(val_x)),
            "test": int(len(test_x)),
        },
        "epochs_run": len(history["loss"]),
        "training_seconds": round(time.monotonic() - clock, 1),
        "history": history,
        "test": classification_report(mnist.test_y, candidate_test),
        "held_out": {"count": held_cmp.count, "accuracy": held_cmp.candidate_accuracy},
        "comparison": {"active_version": plan.active.name, "mnist_test": asdict(mnist_cmp), "held_out": asdict(held_cmp)},
        "promotion": {"mode": options.promote, "passed_gate": passed, "reason": reason, "promoted": promoted,
                      "gate": asdict(options.gate)},
        "training_drawings": plan.train.ids,
        "held_out_drawings": plan.held_out.ids,
        "skipped_drawings": plan.skipped,
        "environment": environment(),
        "export_check": export_check,
    }
    return write_report(work_dir, metrics)


def _table(mnist: Comparison, held_out: Comparison) -> str:
    def pct(value):
        return "   -   " if value is None else f"{100 * value:6.2f}%"

    rows = [
        f"{'':<22}{'images':>8}{'active':>10}{'candidate':>11}{'fixed':>8}{'broken':>8}",
        *(
            f"{label:<22}{c.count:>8}{pct(c.active_accuracy):>10}{pct(c.candidate_accuracy):>11}{c.fixed:>8}{c.broken:>8}"
            for label, c in (("MNIST test", mnist), ("held-out drawings", held_out))
        ),
        "fixed: the active model gets it wrong, the candidate right; broken: the reverse",
    ]
    return "\n".join(rows)


@transaction.atomic
def _register(name: str, directory: Path, metrics: dict, plan: RetrainPlan, *, promote: bool) -> ModelVersion:
    tflite = directory / artifacts.TFLITE_MODEL
    base = Path(settings.BASE_DIR)
    artifact = str(tflite.relative_to(base)) if tflite.is_relative_to(base) else str(tflite)
    version = ModelVersion.objects.create(
        name=name,
        artifact=artifact,
        sha256=artifacts.sha256(tflite),
        metrics=metrics,
        parent=None if metrics["parent"] is None else plan.active,
        notes=f"{metrics['promotion']['reason']}.",
    )
    version.training_drawings.set(plan.train.ids)
    if promote:
        model_version_activate(version=version)
    return version
