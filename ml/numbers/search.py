"""Which consecutive atoms make one digit: a search over all ways to group them, scored by the model.

Every run of up to `MAX_ATOMS` neighbouring atoms that could be one digit (narrow enough, no wide gap
inside) is a candidate span; the model reads all of them in one batch. A span read as a digit is worth
log(confidence x digit score) + `DIGIT_BONUS`, one read as not a digit log(1 - digit score); dynamic
programming picks the grouping of all atoms with the highest total (exact, so no beam is needed:
the spans are few). The bonus pays for each digit found, so that two good digits beat one smudge
made of both, and half a 0 read as a 1 does not beat the whole 0 (tuned on numbers made from
training digits; see docs/numbers.md).
Never imports TensorFlow.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ml.numbers.segmentation import Atom
from ml.predictor import Prediction

MAX_ATOMS = 5  # atoms in one digit at most
MAX_WIDTH = 1.6  # a span wider than this many digit heights is never one digit
MAX_GAP = 0.25  # atoms further apart than this share of a digit's height are never one digit
DIGIT_BONUS = 0.05
CUT_PENALTY = 0.4  # for each cut through a connected stroke that the grouping uses
CUT_INK_COST = 0.5  # and for each pen width of stroke it crosses beyond one (touching digits meet in
# about one stroke; halving a 0 crosses two, an 8 three)
NOT_DIGIT_PENALTY = 1.0  # for a single atom answered "not a digit" (more atoms never are)
DIGIT_WIDTH = 1.0  # digits are rarely wider than they are tall...
WIDTH_COST = 1.5  # ...and each height of width beyond costs this much: two digits read as one wide
# one (the model reads "22" squeezed into its 20x20 box as a sure 2) lose to the two
FLOOR = 1e-6  # keeps log() finite


@dataclass(frozen=True)
class Choice:
    start: int  # atoms[start:end] form one piece
    end: int
    is_digit: bool
    span: int  # index into the spans (and predictions) it was read from


def spans(atoms: Sequence[Atom], height: float) -> list[tuple[int, int]]:
    """(start, end) of every run of atoms that may be one digit; each single atom is always one."""
    found = []
    for start in range(len(atoms)):
        left, right = atoms[start].box[0], atoms[start].box[0] + atoms[start].box[2]
        for end in range(start + 1, min(len(atoms), start + MAX_ATOMS) + 1):
            atom = atoms[end - 1]
            if end > start + 1 and atom.box[0] - right > MAX_GAP * height:
                break
            left, right = min(left, atom.box[0]), max(right, atom.box[0] + atom.box[2])
            if end > start + 1 and right - left > MAX_WIDTH * height:
                break
            found.append((start, end))
    return found


def best_grouping(atoms: Sequence[Atom], candidates: list[tuple[int, int]], predictions: list[Prediction],
                  height: float) -> list[Choice]:
    """The grouping of the atoms into candidate spans with the highest total value."""
    count = len(atoms)
    best = [0.0] + [-math.inf] * count
    back: list[Choice | None] = [None] * (count + 1)
    ending = {}
    for index, (start, end) in enumerate(candidates):
        ending.setdefault(end, []).append(index)
    # cut[i]: a cut (not a gap) lies just before atoms[i]; never before the first or after the last
    cut = [False] + [_cut_between(left, right) for left, right in zip(atoms, atoms[1:])] + [False]
    for end in range(1, count + 1):
        for index in ending.get(end, []):
            start = candidates[index][0]
            value, is_digit = _value(predictions[index], _one_piece(cut, start, end))
            if cut[start]:
                value -= CUT_PENALTY + CUT_INK_COST * max(0.0, atoms[start].cut - 1.0)
            value -= WIDTH_COST * max(0.0, _aspect(atoms[start:end]) - DIGIT_WIDTH)
            if best[start] + value > best[end]:
                best[end] = best[start] + value
                back[end] = Choice(start, end, is_digit, index)
    path, end = [], count
    while end > 0:
        choice = back[end]
        path.append(choice)
        end = choice.start
    return path[::-1]


def _one_piece(cut: list[bool], start: int, end: int) -> bool:
    """Whether atoms[start:end] are one whole piece of ink: a single atom, or every slice of one cut unit
    (`cut[i]`: whether a cut, not a gap, lies before atom i)."""
    return end - start == 1 or (all(cut[start + 1 : end]) and not cut[start] and not cut[end])


def _value(prediction: Prediction, whole: bool) -> tuple[float, bool]:
    """What reading a span as its prediction is worth. Only a whole piece of ink may be answered "not a
    digit": a run of separate pieces or of slices is a digit or nothing, so a smudge of two digits is
    never taken for one rejected piece, while a shape the model refuses whole (a circled cross) is not
    forced into the digits its slices look like."""
    score = 1.0 if prediction.digit_score is None else prediction.digit_score
    as_digit = math.log(max(prediction.confidence * score, FLOOR)) + DIGIT_BONUS
    if whole and prediction.is_digit is False:
        return max(as_digit, math.log(max(1.0 - score, FLOOR)) - NOT_DIGIT_PENALTY), False
    return as_digit, prediction.is_digit is not False


def _aspect(atoms: Sequence[Atom]) -> float:
    """Width over height of the atoms' common box."""
    width = max(a.box[0] + a.box[2] for a in atoms) - min(a.box[0] for a in atoms)
    height = max(a.box[1] + a.box[3] for a in atoms) - min(a.box[1] for a in atoms)
    return width / max(height, 1)


def _cut_between(left: Atom, right: Atom) -> bool:
    """True when the two atoms are slices of one stroke blob (the boundary is a cut, not a gap)."""
    return left.labels == right.labels and np.array_equal(left.hi, right.lo)
