"""A quantized export measured against the float one on every figure the version's metrics.json reports.

`measure` runs an exported `.tflite` through LiteRT exactly as served (the version's own calibration:
temperature and not-a-digit threshold from metrics.json, not refitted) over MNIST test and every
validation set training measures (`ml.datasets.validation_sets`), and returns the figures in
metrics.json's layout. `compare` lists each accuracy, calibration error (ECE) and not-a-digit share side
by side, in percentage points; `gate` passes when every accuracy and every calibration error moved by at
most GATE_POINTS. Never imports TensorFlow (the conversion itself is `ml.export`).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml import report
from ml.calibration import Calibration
from ml.data import Mnist
from ml.datasets import ValidationSets, validation_sets
from ml.metrics import reliability, roc_auc
from ml.predictor import ALL_CORES, Predictor
from ml.preprocess import to_model_input

GATE_POINTS = 0.1  # percentage points: the most any accuracy or calibration error may move
GATED = ("accuracy", "ece")  # per digit set; the not-a-digit shares are reported beside them


def model_inputs(images: np.ndarray) -> np.ndarray:
    return np.stack([to_model_input(image) for image in images]).astype(np.float32)


@dataclass
class EvaluationData:
    """What every model is measured on: MNIST test through the pipeline, and the validation sets."""

    test: tuple[np.ndarray, np.ndarray]
    validation: ValidationSets

    @classmethod
    def build(cls, mnist: Mnist) -> "EvaluationData":
        return cls((model_inputs(mnist.test_x), mnist.test_y), validation_sets(mnist, model_inputs(mnist.val_x)))


def measure(tflite_path: Path, calibration: Calibration, data: EvaluationData) -> dict:
    """{"evaluations": {set: figures}, "not_a_digit": {...}} for this file, served with `calibration`."""
    predictor = Predictor(tflite_path, calibration=calibration, num_threads=ALL_CORES)
    threshold = calibration.digit_threshold
    sets = {report.MNIST_TEST: data.test, **data.validation.digits}
    evaluations, digit_scores = {}, []
    for name, (x, y) in sets.items():
        probabilities, scores = predictor.outputs(x)
        evaluations[name] = report.evaluation(y, probabilities, digit_scores=scores, digit_threshold=threshold)
        evaluations[name]["reliability"] = reliability(y, probabilities)
        if name != report.MNIST_TEST and scores is not None:
            digit_scores.append(scores)
    nondigit_scores = []
    for name, x in data.validation.nondigits.items():
        scores = predictor.outputs(x)[1]
        if scores is None:
            continue
        evaluations[name] = report.nondigit_evaluation(scores, threshold)
        nondigit_scores.append(scores)
    not_a_digit = {}
    if digit_scores and nondigit_scores:
        digits, nondigits = np.concatenate(digit_scores), np.concatenate(nondigit_scores)
        not_a_digit = {
            "threshold": threshold,
            "refused_digits": float((digits < threshold).mean()),
            "refused_nondigits": float((nondigits < threshold).mean()),
            "auroc": roc_auc(np.concatenate([digits, nondigits]),
                             np.concatenate([np.ones(len(digits)), np.zeros(len(nondigits))])),
        }
    return {"evaluations": evaluations, "not_a_digit": not_a_digit}


@dataclass(frozen=True)
class Row:
    evaluation: str  # a validation set, or "not a digit (all sets)"
    figure: str  # accuracy, ece, refused, refused_digits, refused_nondigits, auroc
    float_value: float
    quantized_value: float

    @property
    def points(self) -> float:
        """The change in percentage points (AUROC too is shown x100)."""
        return 100 * (self.quantized_value - self.float_value)

    @property
    def gated(self) -> bool:
        return self.figure in GATED


def compare(float_figures: dict, quantized_figures: dict) -> list[Row]:
    rows = []
    for name, figures in float_figures["evaluations"].items():
        other = quantized_figures["evaluations"].get(name, {})
        for figure in ("accuracy", "ece", "refused"):
            if figures.get(figure) is not None and other.get(figure) is not None:
                rows.append(Row(name, figure, figures[figure], other[figure]))
    for figure in ("refused_digits", "refused_nondigits", "auroc"):
        a, b = float_figures["not_a_digit"].get(figure), quantized_figures["not_a_digit"].get(figure)
        if a is not None and b is not None:
            rows.append(Row("not a digit (all sets)", figure, a, b))
    return rows


def gate(rows: list[Row], points: float = GATE_POINTS) -> tuple[bool, list[Row]]:
    """(passed, the gated rows that moved by more than `points` percentage points)."""
    failing = [row for row in rows if row.gated and abs(row.points) > points + 1e-9]
    return not failing, failing


def table(rows: list[Row]) -> str:
    lines = [f"  {'set':<24}{'figure':<19}{'float':>9}{'int8':>9}{'change':>10}"]
    for row in rows:
        mark = " *" if row.gated and abs(row.points) > GATE_POINTS + 1e-9 else ""
        lines.append(f"  {row.evaluation:<24}{row.figure:<19}{100 * row.float_value:>8.2f}%"
                     f"{100 * row.quantized_value:>8.2f}%{row.points:>+8.2f}pt{mark}")
    return "\n".join(lines)
