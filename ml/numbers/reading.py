"""A number read from one image: its digits with boxes, and the pieces that are not digits."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.predictor import Prediction, Predictor
from ml.preprocess import MAX_PIXELS, DrawingError, decode_ink, to_model_input
from ml.numbers.search import best_grouping, spans
from ml.numbers.segmentation import Box, crop, pieces

MAX_DIGITS = 32
MAX_ATOMS_PER_DIGIT = 4  # more separate pieces than this per allowed digit is not a number


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
    """An ink map (as `decode_ink` returns it) → its number: every candidate piece is read in one batch,
    then `search.best_grouping` decides which atoms make each digit."""
    found = pieces(ink)
    if not found.atoms and not found.marks:
        raise DrawingError("no ink found in the drawing")
    if len(found.atoms) > MAX_ATOMS_PER_DIGIT * max_digits:
        raise DrawingError(f"too many separate strokes: at most {max_digits} digits are read")
    candidates = spans(found.atoms, found.height)
    groups = [found.atoms[start:end] for start, end in candidates] + [(mark,) for mark in found.marks]
    crops = [crop(ink, found.labels, group) for group in groups]
    inputs = np.stack([to_model_input(piece) for piece, _ in crops])
    predictions = predictor.predict_batch(inputs)
    digits, rejected = [], []
    for choice in best_grouping(found.atoms, candidates, predictions):
        box, x, prediction = crops[choice.span][1], inputs[choice.span], predictions[choice.span]
        if choice.is_digit:
            digits.append(DigitReading(box, x, prediction))
        else:
            rejected.append(RejectedPiece(box, prediction.digit_score))
    marks = range(len(candidates), len(groups))
    rejected += [RejectedPiece(crops[i][1], predictions[i].digit_score) for i in marks]
    if len(digits) > max_digits:
        raise DrawingError(f"too many digits: {len(digits)} found, at most {max_digits} are read")
    return NumberReading(tuple(digits), tuple(sorted(rejected, key=lambda piece: piece.box[0])))
