"""Which parts of a drawing drove the model's answer: occlusion sensitivity (Zeiler & Fergus, 2014).

A square patch slides over the 28x28 input; each position is set to the background and the input is
run again. Where hiding the patch lowers the model's belief in the answer it gave, that part of the
drawing was evidence for it. Belief is measured as the answer's log-odds, log(p / (1 - p)), computed from
the logits with the version's temperature: the same ordering as the served probability, but it does not
saturate. A digit answered at 99.9999 % moves its probability by less than float32 can show when a
stroke is hidden (measured: 1e-7 on MNIST test digits, a map of rounding noise), its log-odds by whole
units. Occlusion and not gradients because the served model is a LiteRT
flatbuffer with no gradients: occlusion needs only forward passes of exactly the model *and* the
calibration that answered, so the map explains the served answer, not a TensorFlow twin of it.

All 256 occluded inputs and the drawing go through the model in one call: 68 ms median per map on the
2-core development machine when quiet, 113 ms with a load average of 9 (`python -m ml.saliency_bench`;
docs/saliency.md), against ~1-4 ms for one prediction, so maps are made on request only.
Numpy only, besides the Predictor: web processes use this module.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.calibration import DIGITS, NOT_A_DIGIT, Calibration
from ml.predictor import Predictor

SIZE = 28  # the model's input side
PATCH = 6  # side of the hidden square: about a stroke's width and a half, so a stroke can vanish
STRIDE = 2  # PATCH is a multiple of STRIDE, so every pixel is covered by the same number of patches
BACKGROUND = 0.0  # model inputs are white ink on black


@dataclass(frozen=True)
class Saliency:
    """The explanation of one answer. `answer` is the digit explained, or None for "not a digit"."""

    answer: int | None
    probability: float  # the answer's served probability on the whole drawing
    drops: np.ndarray  # (28, 28): mean fall of the answer's log-odds over the patches covering each pixel (signed)
    heat: np.ndarray  # (28, 28) in [0, 1]: the positive drops over the largest; all 0 when nothing mattered


def windows(size: int = SIZE, patch: int = PATCH, stride: int = STRIDE) -> list[tuple[int, int, int, int]]:
    """(top, bottom, left, right) of every patch position. Patches start before the edge, clipped, so
    an edge pixel is covered as often as a central one and the map has no border artefact."""
    if patch % stride:
        raise ValueError("the patch must be a multiple of the stride")
    starts = range(stride - patch, size, stride)
    spans = [(max(start, 0), min(start + patch, size)) for start in starts]
    return [(top, bottom, left, right) for top, bottom in spans for left, right in spans]


def occluded(x: np.ndarray, boxes: list[tuple[int, int, int, int]]) -> np.ndarray:
    """(len(boxes), 28, 28): copies of x, each with one box set to the background."""
    xs = np.repeat(np.asarray(x, dtype=np.float32)[None], len(boxes), axis=0)
    for i, (top, bottom, left, right) in enumerate(boxes):
        xs[i, top:bottom, left:right] = BACKGROUND
    return xs


def answer_of(predictor: Predictor, x: np.ndarray) -> int | None:
    """What the predictor answers for x: its digit, or None when it says "not a digit"."""
    prediction = predictor.predict(x)
    return None if prediction.is_digit is False else prediction.digit


def log_odds(raw: np.ndarray, calibration: Calibration, answer: int | None) -> np.ndarray:
    """(N,) log(p / (1 - p)) of `answer` from the model's raw output, p as the calibration serves it: a
    digit's probability among the ten digits, or P(not a digit) = 1 - digit score among all eleven."""
    raw = np.asarray(raw, dtype=np.float64)
    if calibration.output != "logits":  # older models return probabilities, already saturated
        p = np.clip(raw[:, answer], 1e-12, 1 - 1e-12) if answer is not None else None
        if p is None:
            raise ValueError("this model has no not-a-digit output to explain")
        return np.log(p) - np.log1p(-p)
    scaled = raw / calibration.temperature
    if answer is None:
        if scaled.shape[1] <= DIGITS:
            raise ValueError("this model has no not-a-digit output to explain")
        target, others = scaled[:, NOT_A_DIGIT], scaled[:, :DIGITS]
    else:
        target, others = scaled[:, answer], np.delete(scaled[:, :DIGITS], answer, axis=1)
    return target - _logsumexp(others)


def _logsumexp(z: np.ndarray) -> np.ndarray:
    top = z.max(axis=1)
    return top + np.log(np.exp(z - top[:, None]).sum(axis=1))


def explain(predictor: Predictor, x: np.ndarray, *, answer: int | None | str = "own") -> Saliency:
    """Occlusion map of `answer` for the (28, 28) input x. By default the predictor's own answer; a stored
    drawing passes the answer it was given, so the map explains what the user was told."""
    x = np.asarray(x, dtype=np.float32).reshape(SIZE, SIZE)
    if answer == "own":
        answer = answer_of(predictor, x)
    boxes = windows()
    raw = predictor.raw(np.concatenate([x[None], occluded(x, boxes)]))  # one call for all of them
    evidence = log_odds(raw, predictor.calibration, answer)
    drops = np.zeros((SIZE, SIZE))
    covered = np.zeros((SIZE, SIZE))
    for drop, (top, bottom, left, right) in zip(evidence[0] - evidence[1:], boxes):
        drops[top:bottom, left:right] += drop
        covered[top:bottom, left:right] += 1
    drops /= covered
    positive = np.clip(drops, 0.0, None)
    peak = positive.max()
    heat = positive / peak if peak > 0 else positive
    probability = 1.0 / (1.0 + np.exp(-evidence[0]))
    return Saliency(answer, float(probability), drops.astype(np.float32), heat.astype(np.float32))
