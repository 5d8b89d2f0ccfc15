"""Stored drawings on which the compared versions answer differently.

Each drawing's stored model input (`input_png`, exactly what the model saw) is re-predicted by every
version; an answer is the digit, or "not a digit" when the version's threshold refuses it. Only the most
recent drawings are examined, so the page stays quick on a large table.
"""
from dataclasses import dataclass

import numpy as np

from ml.preprocess import png_to_input
from ml.predictor import Predictor
from recognizer.models import Drawing, ModelVersion

EXAMINED = 200
SHOWN = 48
NOT_A_DIGIT = "not a digit"
MISSING = "\u2014"


@dataclass(frozen=True)
class Disagreement:
    drawing: Drawing
    answers: list[str]  # one per version, in the versions' order ("—" for a version that cannot load)


@dataclass(frozen=True)
class Disagreements:
    examined: int
    disagreeing: int  # among the examined; at most `shown` of them are listed
    listed: list[Disagreement]
    unavailable: list[str]  # names of versions left out because their model could not be loaded


def find(
    versions: list[ModelVersion], predictors: list[Predictor | None], *, examined: int = EXAMINED, shown: int = SHOWN
) -> Disagreements:
    """The most recent `examined` drawings, re-predicted by each version's predictor (None: it could not be
    loaded, see `latency.load`); those with differing answers, newest first."""
    newest = Drawing.objects.only("id", "input_png", "created").order_by("-created", "-pk")
    drawings, inputs = _inputs(newest[:examined])
    columns, unavailable = [], []
    for version, predictor in zip(versions, predictors, strict=True):
        columns.append(None if predictor is None else answers(predictor, inputs))
        if predictor is None:
            unavailable.append(version.name)
    found = [
        Disagreement(drawing, [MISSING if column is None else column[i] for column in columns])
        for i, drawing in enumerate(drawings)
        if len({column[i] for column in columns if column is not None}) > 1
    ]
    return Disagreements(len(drawings), len(found), found[:shown], unavailable)


def answers(predictor: Predictor, inputs: np.ndarray) -> list[str]:
    """The version's answer for each input: "0".."9" or "not a digit"."""
    return [NOT_A_DIGIT if p.is_digit is False else str(p.digit) for p in predictor.predict_batch(inputs)]


def _inputs(drawings) -> tuple[list[Drawing], np.ndarray]:
    """The drawings whose stored input decodes to a 28x28 model input, and those inputs stacked."""
    kept, inputs = [], []
    for drawing in drawings:
        try:
            x = png_to_input(bytes(drawing.input_png))
        except (OSError, ValueError):  # PIL's UnidentifiedImageError is an OSError
            continue
        if x.shape == (28, 28):
            kept.append(drawing)
            inputs.append(x)
    return kept, np.stack(inputs) if inputs else np.zeros((0, 28, 28), dtype=np.float32)
