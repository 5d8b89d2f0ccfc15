"""Stored drawings on which the compared versions answer differently.

Each drawing's stored model input (`input_png`, exactly what the model saw) is re-predicted by every
version; an answer is the digit, or "not a digit" when the version's threshold refuses it. Only the most
recent drawings are examined, so the page stays quick on a large table.
"""
from dataclasses import dataclass

import numpy as np

from ml.preprocess import png_to_input
from recognizer.exceptions import ModelUnavailable
from recognizer.models import Drawing, ModelVersion
from recognizer.predictors import predictor_for

EXAMINED = 200
SHOWN = 48
NOT_A_DIGIT = "not a digit"


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


def find(versions: list[ModelVersion], *, examined: int = EXAMINED, shown: int = SHOWN) -> Disagreements:
    """The most recent `examined` drawings, re-predicted; those with differing answers, newest first."""
    drawings = list(Drawing.objects.only("id", "input_png", "created").order_by("-created", "-pk")[:examined])
    inputs = np.stack([png_to_input(bytes(d.input_png)) for d in drawings]) if drawings else None
    columns, unavailable = [], []
    for version in versions:
        try:
            columns.append(answers(version, inputs))
        except ModelUnavailable:
            columns.append(None)
            unavailable.append(version.name)
    found = []
    for i, drawing in enumerate(drawings):
        row = [column[i] for column in columns if column is not None]
        if len(set(row)) > 1:
            found.append(Disagreement(drawing, [column[i] if column is not None else "\u2014" for column in columns]))
    return Disagreements(len(drawings), len(found), found[:shown], unavailable)


def answers(version: ModelVersion, inputs: np.ndarray | None) -> list[str]:
    """The version's answer for each input: "0".."9" or "not a digit"."""
    if inputs is None:
        return []
    predictions = predictor_for(version).predict_batch(inputs)
    return [NOT_A_DIGIT if p.is_digit is False else str(p.digit) for p in predictions]
