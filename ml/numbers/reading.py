"""A number read from one image: its digits with boxes, and the pieces that are not digits."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ml.predictor import Prediction, Predictor
from ml.preprocess import MAX_PIXELS, DrawingError, decode_ink, to_model_input
from ml.numbers.search import best_grouping, spans
from ml.numbers.segmentation import Atom, Box, crop, pieces, split

MAX_DIGITS = 32
MAX_ATOMS_PER_DIGIT = 4  # more separate pieces than this per allowed digit is not a number
SURE = 0.9  # a unit read with less confidence or digit score than this is looked at for cuts
WIDE = 1.0  # a unit wider than this many digit heights is looked at for cuts
DOTTED_BITS = 5  # a piece of this many separate bits or more is a dotted or dashed stroke...
DOTTED_GAP = 0.25  # ...whose gaps up to this share of a digit's height are closed before reading it


@dataclass(frozen=True)
class DigitReading:
    box: Box  # (x, y, width, height) in pixels of the decoded image, EXIF orientation applied
    x: np.ndarray  # the 28x28 model input the digit was read from
    prediction: Prediction


@dataclass(frozen=True)
class RejectedPiece:
    box: Box
    digit_score: float | None  # None when the model has no not-a-digit output


@dataclass(frozen=True)
class NumberReading:
    digits: tuple[DigitReading, ...]  # left to right
    rejected: tuple[RejectedPiece, ...]

    @property
    def number(self) -> str:
        return "".join(str(d.prediction.digit) for d in self.digits)

    @property
    def confidence(self) -> float:
        """Probability that the whole string is right: the product of the digits' confidences (0 when empty)."""
        if not self.digits:
            return 0.0
        return float(np.prod([d.prediction.confidence for d in self.digits]))


def read_number(
    data: bytes, predictor: Predictor, *, max_pixels: int = MAX_PIXELS, max_digits: int = MAX_DIGITS
) -> NumberReading:
    """Bytes of an image file → its number. Raises DrawingError (a message for the user) for an
    unreadable image, an image without ink, or more than `max_digits` digits."""
    return read_ink(decode_ink(data, max_pixels=max_pixels), predictor, max_digits=max_digits)


def read_ink(ink: np.ndarray, predictor: Predictor, *, max_digits: int = MAX_DIGITS) -> NumberReading:
    """An ink map (as `decode_ink` returns it) → its number.

    First pass: every unit (connected strokes with their fragments) and every run of close units is
    read in one batch. Units the model does not read as one sure digit, or wider than a digit, are
    cut into atoms and the new candidate runs read in a second batch. `search.best_grouping` then
    picks the grouping of atoms into digits with the highest total value."""
    found = pieces(ink)
    if not found.atoms and not found.marks:
        raise DrawingError("no ink found in the drawing")
    _check_count(found.atoms, max_digits)
    reader = _Reader(ink, found.labels, predictor, found.height)
    atoms = list(found.atoms)
    reader.read([(mark,) for mark in found.marks] + _runs(atoms, found.height))
    unsure = {id(atom) for atom in atoms if _unsure(atom, reader.prediction((atom,)), found.height)}
    if unsure:
        atoms = [part for atom in atoms for part in (split(found, atom) if id(atom) in unsure else [atom])]
        _check_count(atoms, max_digits)
        reader.read(_runs(atoms, found.height))
    candidates = spans(atoms, found.height)
    runs = [tuple(atoms[start:end]) for start, end in candidates]
    digits, rejected = [], []
    for choice in best_grouping(atoms, candidates, [reader.prediction(run) for run in runs], found.height):
        run = runs[choice.span]
        box, x, prediction = reader.box(run), reader.input(run), reader.prediction(run)
        if choice.is_digit:
            digits.append(DigitReading(box, x, prediction))
        else:
            rejected.append(RejectedPiece(box, prediction.digit_score))
    rejected += [RejectedPiece(mark.box, reader.prediction((mark,)).digit_score) for mark in found.marks]
    if len(digits) > max_digits:
        raise DrawingError(f"too many digits: {len(digits)} found, at most {max_digits} are read")
    return NumberReading(tuple(digits), tuple(sorted(rejected, key=lambda piece: piece.box[0])))


def _check_count(atoms: list[Atom] | tuple[Atom, ...], max_digits: int) -> None:
    """Refuse drawings of so many separate pieces that they cannot be a number of `max_digits` digits
    (and would cost thousands of model inputs)."""
    if len(atoms) > MAX_ATOMS_PER_DIGIT * max_digits:
        raise DrawingError(f"too many separate strokes: at most {max_digits} digits are read")


def _runs(atoms: list[Atom], height: float) -> list[tuple[Atom, ...]]:
    return [tuple(atoms[start:end]) for start, end in spans(atoms, height)]


def _unsure(atom: Atom, prediction: Prediction, height: float) -> bool:
    """Whether a unit needs cutting: wider than a digit (as tall as itself or the number's digits), or
    not read as one sure digit."""
    return (
        atom.box[2] > WIDE * max(height, atom.box[3])
        or prediction.confidence < SURE
        or (prediction.digit_score is not None and prediction.digit_score < SURE)
    )


class _Reader:
    """Model inputs and predictions of runs of atoms: each run is read once, new runs in one batch."""

    def __init__(self, ink: np.ndarray, labels: np.ndarray, predictor: Predictor, height: float):
        self.ink, self.labels, self.predictor = ink, labels, predictor
        side = max(3, int(DOTTED_GAP * height) | 1)
        self._closing = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
        self._seen: dict[tuple[int, ...], tuple[Box, np.ndarray, Prediction]] = {}

    def read(self, runs: list[tuple[Atom, ...]]) -> None:
        new = {self._key(run): run for run in runs if self._key(run) not in self._seen}
        if not new:
            return
        crops = [crop(self.ink, self.labels, run) for run in new.values()]
        inputs = np.stack([to_model_input(self._joined(piece, run)) for (piece, _), run in zip(crops, new.values())])
        for key, (_, box), x, prediction in zip(new, crops, inputs, self.predictor.predict_batch(inputs)):
            self._seen[key] = (box, x, prediction)

    def _joined(self, piece: np.ndarray, run: tuple[Atom, ...]) -> np.ndarray:
        """A digit drawn in many separate bits (a dotted or dashed 0) with the gaps between its bits
        closed, as the eye closes them; other pieces as they are."""
        bits = set().union(*(atom.labels for atom in run))
        return cv2.morphologyEx(piece, cv2.MORPH_CLOSE, self._closing) if len(bits) >= DOTTED_BITS else piece

    def prediction(self, run: tuple[Atom, ...]) -> Prediction:
        return self._seen[self._key(run)][2]

    def box(self, run: tuple[Atom, ...]) -> Box:
        return self._seen[self._key(run)][0]

    def input(self, run: tuple[Atom, ...]) -> np.ndarray:
        return self._seen[self._key(run)][1]

    @staticmethod
    def _key(run: tuple[Atom, ...]) -> tuple[int, ...]:
        return tuple(id(atom) for atom in run)
