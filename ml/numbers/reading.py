"""A number read from one image: its digits with boxes, and the pieces that are not digits."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.predictor import Prediction, Predictor
from ml.preprocess import MAX_PIXELS, DrawingError, decode_ink, to_model_input
from ml.numbers.segmentation import Box, segment

MAX_DIGITS = 32


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
    boxes = segment(ink)
    if not boxes:
        raise DrawingError("no ink found in the drawing")
    inputs = np.stack([to_model_input(_crop(ink, box)) for box in boxes])
    predictions = predictor.predict_batch(inputs)
    digits, rejected = [], []
    for box, x, prediction in zip(boxes, inputs, predictions):
        if prediction.is_digit is False:
            rejected.append(RejectedPiece(box, prediction.digit_score))
        else:
            digits.append(DigitReading(box, x, prediction))
    if len(digits) > max_digits:
        raise DrawingError(f"too many digits: {len(digits)} found, at most {max_digits} are read")
    return NumberReading(tuple(digits), tuple(rejected))


def _crop(ink: np.ndarray, box: Box) -> np.ndarray:
    x, y, width, height = box
    return ink[y : y + height, x : x + width]
