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

from ml import artifacts, report
from ml.artifacts import new_work_directory
from ml.finetune import FinetuneConfig
from ml.predictor import ALL_CORES, Predictor
from ml.preprocess import DrawingError, png_to_input, preprocess
from ml.calibration import NOT_A_DIGIT, Calibration, choose_threshold, fit_temperature
from ml.promotion import Comparison, Gate, compare, is_held_out, is_validation_slice

from recognizer import model_files
from recognizer.models import Drawing, ModelVersion
from recognizer.selectors import drawing_confirmed_q, model_version_get_active, model_version_lineage_training_ids
from recognizer.services import model_version_promote, model_version_register

Log = Callable[[str], None]
PROMOTE_CHOICES = ("never", "auto", "always")
MIN_CALIBRATION_DIGITS = 30  # fewer validation drawings than this keep the parent's temperature
DEFAULT_REFUSE_AT_MOST = 0.005  # for parents whose report does not say


class RetrainError(Exception):
    """Retraining cannot go ahead or failed; the message says why and what to do."""


@dataclass
class RetrainOptions:
    finetune: FinetuneConfig = field(default_factory=FinetuneConfig)
    min_labels: int = 20  # refuse with fewer confirmed drawings than this
    holdout_percent: int = 20  # share of confirmed drawings (by id) kept for the promotion gate
    validation_percent: int = 15  # share of the others (by id) that choose the epoch and refit calibration
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
    labels: np.ndarray  # (N,) int64: 0-9, or NOT_A_DIGIT for drawings confirmed as not a digit

    @classmethod
    def empty(cls) -> "LabelledDrawings":
        return cls([], np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64))


@dataclass
class RetrainPlan:
    active: ModelVersion
    train: LabelledDrawings
    validation: LabelledDrawings  # chooses the epoch and refits calibration; not trained on, not judged on
    held_out: LabelledDrawings  # judged on by the gate; never trained on by this version or its ancestors
    skipped: dict[str, str]  # drawing id → why it could not be used (only with reprocess)


@dataclass
class RetrainResult:
    """The plan, and unless it was a dry run the stored version; its metrics hold both evaluations."""

    plan: RetrainPlan
    version: ModelVersion | None = None
    reason: str = ""  # why the gate passed or refused
    promoted: bool = False


def retrain_plan(*, options: RetrainOptions) -> RetrainPlan:
    """Which confirmed drawings train, validate and are held out; raises RetrainError when too few.

    The side of a drawing depends on its id alone, except that a drawing the active version or one of its
    ancestors trained on always trains: held-out drawings must be new to every model being compared.
    """
    active = model_version_get_active()
    if active is None:
        raise RetrainError("no model version is active: run `manage.py register_shipped_model` first")
    confirmed = Drawing.objects.filter(drawing_confirmed_q()).order_by("created", "id")
    count = confirmed.count()
    if count < options.min_labels:
        raise RetrainError(
            f"only {count} drawing(s) have a staff-confirmed label; retraining needs at least "
            f"{options.min_labels}. Confirm more labels in the admin, or lower --min-labels."
        )
    already_trained = model_version_lineage_training_ids(active)
    fields = ["id", "confirmed_label", "confirmed_not_a_digit", "image" if options.reprocess else "input_png"]
    sides = {"train": ([], [], []), "validation": ([], [], []), "held_out": ([], [], [])}
    skipped = {}
    for drawing_id, label, not_a_digit, blob in confirmed.values_list(*fields).iterator(chunk_size=500):
        try:
            x = preprocess(bytes(blob)) if options.reprocess else png_to_input(bytes(blob))
        except DrawingError as err:
            skipped[str(drawing_id)] = str(err)
            continue
        for column, value in zip(sides[_side(str(drawing_id), already_trained, options)],
                                 (str(drawing_id), x, NOT_A_DIGIT if not_a_digit else label)):
            column.append(value)
    return RetrainPlan(active, *(_labelled(*sides[name]) for name in ("train", "validation", "held_out")), skipped)


def _side(drawing_id: str, already_trained: set[str], options: RetrainOptions) -> str:
    if drawing_id in already_trained:
        return "train"
    if is_held_out(drawing_id, options.holdout_percent):
        return "held_out"
    return "validation" if is_validation_slice(drawing_id, options.validation_percent) else "train"


def _labelled(ids, inputs, labels) -> LabelledDrawings:
    if not ids:
        return LabelledDrawings.empty()
    return LabelledDrawings(list(ids), np.stack(inputs).astype(np.float32), np.asarray(labels, dtype=np.int64))


def model_version_retrain(*, options: RetrainOptions, log: Log = print, callbacks: tuple = ()) -> RetrainResult:
    """`callbacks`: extra Keras callbacks for the fine-tuning (a background job's progress and cancel check)."""
    plan = retrain_plan(options=options)
    result = RetrainResult(plan)
    if options.dry_run:
        return result
    if options.promote not in PROMOTE_CHOICES:
        raise RetrainError(f"--promote must be one of {', '.join(PROMOTE_CHOICES)}")
    if len(plan.train.ids) == 0:
        raise RetrainError("every confirmed drawing fell in the held-out set; confirm more labels")
    base_model = None if options.finetune.from_scratch else model_files.keras_path(plan.active)
    if base_model is not None and not base_model.is_file():
        raise RetrainError(f"the active version has no Keras model to fine-tune ({base_model}); use --from-scratch")

    name = report.version_name("scratch" if options.finetune.from_scratch else "ft")
    if ModelVersion.objects.filter(name=name).exists():
        raise RetrainError(f"version {name} already exists; try again in a second")
    work_dir = new_work_directory(Path(settings.MODEL_DIR) / name)
    try:
        metrics = _train_and_measure(plan, options, base_model, work_dir, name, log, callbacks)
        result.version = model_version_register(
            work_dir=work_dir,
            metrics=metrics,
            parent=None if options.finetune.from_scratch else plan.active,
            training_drawing_ids=plan.train.ids,
        )
    finally:
        shutil.rmtree(work_dir, ignore_errors=True)  # already moved into place when registered
    promotion = metrics["retraining"]["promotion"]
    result.reason = promotion["reason"]
    if promotion["promoted"]:
        result.promoted, why = model_version_promote(version=result.version, trained_from=plan.active)
        if not result.promoted:
            result.reason = why
            log(why)
    return result


def _train_and_measure(
    plan: RetrainPlan, options: RetrainOptions, base_model: Path | None, work_dir: Path, name: str, log: Log,
    callbacks: tuple = (),
) -> dict:
    from ml.data import load_mnist
    from ml.datasets import training_mix
    from ml.finetune import finetune, mix
    from ml.training import environment, evaluate_served, prepare, save_model, training_summary, write_report

    config = options.finetune
    clock = time.monotonic()
    log(f"{len(plan.train.ids)} confirmed drawings train, {len(plan.validation.ids)} validate, "
        f"{len(plan.held_out.ids)} are held out for the gate; "
        f"{'from scratch' if config.from_scratch else f'fine-tuning {plan.active.name}'}")
    mnist = load_mnist(options.mnist_dir)
    limit = config.mnist_limit or len(mnist.train_x)
    val_x, test_x = prepare(mnist.val_x), prepare(mnist.test_x)
    refresher = training_mix(prepare(mnist.train_x[:limit]), mnist.train_y[:limit], config.refresher(), config.seed,
                             log=lambda line: None)
    train_x, train_y, repeats = mix(refresher.x, refresher.y, plan.train.inputs, plan.train.labels, config.drawing_share)
    log(f"mix: {len(refresher.x)} images (MNIST, other writers, non-digits) + {len(plan.train.ids)} drawings "
        f"x{repeats}; {config.epochs} epoch(s) of {int(np.ceil(len(train_x) / config.batch_size))} steps")
    model, history, mixing = finetune(base_model, (train_x, train_y), (val_x, mnist.val_y),
                                      (plan.validation.inputs, plan.validation.labels), config, log, callbacks)

    export_check = save_model(model, work_dir, test_x, log)
    active = Predictor(model_files.tflite_path(plan.active), calibration=Calibration.from_serving(plan.active.report.serving),
                       num_threads=ALL_CORES)
    candidate = Predictor(work_dir / artifacts.TFLITE_MODEL, num_threads=ALL_CORES)
    candidate.calibration = _refit_calibration(candidate, plan, (val_x, mnist.val_y), active.calibration)
    mnist_cmp = compare(_answers(active, test_x), _answers(candidate, test_x), mnist.test_y)
    held_x, held_y = plan.held_out.inputs, plan.held_out.labels
    held_cmp = compare(_answers(active, held_x), _answers(candidate, held_x), held_y)
    passed, reason = options.gate.decide(mnist_cmp, held_cmp)
    promoted = options.promote == "always" or (options.promote == "auto" and passed)
    log(_table(mnist_cmp, held_cmp))
    log(f"promotion gate: {'passed' if passed else 'refused'} ({reason}); "
        f"--promote={options.promote}: {'promoting' if promoted else 'not promoting'} {name}")

    threshold = candidate.calibration.digit_threshold
    evaluations = {report.MNIST_TEST: evaluate_served(candidate, test_x, mnist.test_y, threshold),
                   "mnist_validation": evaluate_served(candidate, val_x, mnist.val_y, threshold)}
    for set_name, drawings in (("validation_drawings", plan.validation), (report.HELD_OUT, plan.held_out)):
        digits = drawings.labels != NOT_A_DIGIT
        if digits.any():
            evaluations[set_name] = evaluate_served(candidate, drawings.inputs[digits], drawings.labels[digits], threshold)
        if (~digits).any() and threshold is not None:
            evaluations[f"{set_name}_not_digits"] = report.nondigit_evaluation(
                candidate.outputs(drawings.inputs[~digits])[1], threshold)
    run = report.Report(
        version=name,
        kind="retrained",
        created=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        architecture=model.name,
        parameters=int(model.count_params()),
        command=options.command,
        code_revision=report.code_revision(),
        parent=None if config.from_scratch else plan.active.name,
        config={**asdict(config), "holdout_percent": options.holdout_percent,
                "validation_percent": options.validation_percent, "reprocess": options.reprocess},
        data={
            **refresher.sources,
            "drawings": {**report.data_source(plan.train.inputs, plan.train.labels), "repeats": repeats},
            "validation_drawings": report.data_source(plan.validation.inputs, plan.validation.labels),
            "mnist_validation": report.data_source(mnist.val_x, mnist.val_y),
        },
        evaluations=evaluations,
        training=training_summary(history, time.monotonic() - clock),
        serving=candidate.calibration.to_dict(),
        environment=environment(),
        export_check=export_check,
        retraining={
            "comparison": {"active_version": plan.active.name, "mnist_test": asdict(mnist_cmp), "held_out": asdict(held_cmp)},
            "weight_mixing": mixing,
            "promotion": {"mode": options.promote, "passed_gate": passed, "reason": reason, "promoted": promoted,
                          "gate": asdict(options.gate)},
            "training_drawings": plan.train.ids,
            "validation_drawings": plan.validation.ids,
            "held_out_drawings": plan.held_out.ids,
            "skipped_drawings": plan.skipped,
        },
    )
    return write_report(work_dir, run)


def _refit_calibration(candidate: Predictor, plan: RetrainPlan, mnist_val, parent: Calibration) -> Calibration:
    """Temperature from the validation drawings (the parent's when they hold too few digits); the threshold
    refuses at most the parent's share of MNIST validation digits and of validation-drawing digits, each
    set on its own, and never more readily than the parent's."""
    digits = plan.validation.labels != NOT_A_DIGIT
    raw = candidate.raw(plan.validation.inputs[digits])
    temperature = fit_temperature(raw, plan.validation.labels[digits]) if digits.sum() >= MIN_CALIBRATION_DIGITS else parent.temperature
    scorer = Calibration(output="logits", temperature=temperature)
    refuse_at_most = plan.active.report.not_a_digit.get("refuse_at_most", DEFAULT_REFUSE_AT_MOST)
    candidates = [choose_threshold(scorer.apply(candidate.raw(mnist_val[0]))[1], refuse_at_most)]
    if digits.any():
        candidates.append(choose_threshold(scorer.apply(raw)[1], refuse_at_most))
    if parent.digit_threshold is not None:
        candidates.append(parent.digit_threshold)  # never refuse more readily than the version it replaces
    return Calibration(output="logits", temperature=temperature, digit_threshold=min(candidates))


def _answers(predictor: Predictor, x: np.ndarray) -> np.ndarray:
    """What the model answers for each input: its digit, or NOT_A_DIGIT when it says so."""
    probabilities, digit_scores = predictor.outputs(x)
    answers = probabilities.argmax(1)
    is_digit = predictor.calibration.is_digit(digit_scores)
    if is_digit is not None:
        answers[~is_digit] = NOT_A_DIGIT
    return answers


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
