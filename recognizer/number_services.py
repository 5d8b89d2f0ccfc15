"""Writes for whole numbers: read and store one, a user's suggested number, staff's confirmed number.

Kept apart from services.py (single drawings and model versions), which it builds on: each digit of a
number is stored as a Drawing made by `services.drawing_build`, and its label is suggested and
confirmed through `services.drawing_suggest_label` and `services.drawing_confirm_label`, so the digits
of numbers are reviewed and retrained on exactly like single drawings.
"""
import logging
import re
import time

import cv2
import numpy as np
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from PIL import Image

from ml.numbers.reading import NumberReading, read_ink
from ml.preprocess import decode_with_image, encode_png

from recognizer import metrics, services
from recognizer.images import media_type_of
from recognizer.models import MAX_NUMBER_DIGITS, Drawing, Number
from recognizer.predictors import line_reader, predictor_for
from recognizer.selectors import model_version_get_serving

logger = logging.getLogger(__name__)

CROP_MARGIN = 0.15  # of the box's longer side, around each digit's crop, so reviewers see it whole
DIGITS = re.compile(rf"[0-9]{{1,{MAX_NUMBER_DIGITS}}}")


def number_create(*, image: bytes, source: str, content_type: str = "", owner=None) -> Number:
    """Read the number in `image` with the active model and store it with one Drawing per digit.

    Raises DrawingError (400, storing nothing) for an unreadable image, one without ink, one over the
    pixel limit, or one with more than MAX_NUMBER_DIGITS digits. Ink without any digit is stored, with
    an empty number, for review. `owner` (the signed-in user, None: anonymous) owns the number and each
    of its digits, so neither is visible to anyone else but staff.
    """
    started = time.perf_counter()
    version = model_version_get_serving()
    upright, ink = decode_with_image(image, max_pixels=settings.DIGITS_MAX_PIXELS)
    reading = read_ink(ink, predictor_for(version), max_digits=MAX_NUMBER_DIGITS, lines=line_reader())
    pixels = _croppable(upright)
    number = Number(
        image=image,
        content_type=media_type_of(image),
        width=upright.width,
        height=upright.height,
        number=reading.number,
        confidence=services.probability(reading.confidence),
        rejected=[{"box": list(piece.box), "digit_score": _score(piece.digit_score)} for piece in reading.rejected],
        model_version=version,
        source=source,
        owner=owner,
    )
    digits = _digit_drawings(number, reading, pixels)
    with transaction.atomic():
        number.save(force_insert=True)
        Drawing.objects.bulk_create(digits)
    metrics.record_predictions(digits)
    _log_number(number, started, claimed_type=content_type)
    number.ordered_digits = digits  # as `selectors.number_get` gives them, without reading them back
    return number


def number_suggest(*, number: Number, value: str) -> Number:
    """A user's claim of the number they wrote; the latest wins. With as many digits as were found, each
    digit's label is suggested too; otherwise earlier digit suggestions are withdrawn (they would disagree)."""
    number.suggested_number = digit_string(value)
    with transaction.atomic():
        number.save(update_fields=["suggested_number"])
        digits = list(number.digits.order_by("position"))
        if len(digits) == len(value):
            for drawing, digit in zip(digits, value):
                services.drawing_suggest_label(drawing=drawing, label=int(digit))
        else:
            number.digits.update(suggested_label=None, suggested_not_a_digit=False)
    return number


def number_confirm(*, number: Number, value: str | None, user) -> Number:
    """Staff set the true number. With as many digits as were found, each digit's label is confirmed
    (training then uses them); with another count the number is flagged for review and no digit label
    changes. None clears the number's confirmation; digit labels stay (clear them one by one if wrong)."""
    with transaction.atomic():
        if value is None:
            number.confirmed_number, number.confirmed_count_differs = "", False
            number.confirmed_by, number.confirmed_at = None, None
        else:
            number.confirmed_number = digit_string(value)
            digits = list(number.digits.order_by("position"))
            number.confirmed_count_differs = len(digits) != len(value)
            number.confirmed_by, number.confirmed_at = user, timezone.now()
            if not number.confirmed_count_differs:
                for drawing, digit in zip(digits, value):
                    services.drawing_confirm_label(drawing=drawing, label=int(digit), user=user)
        number.save(update_fields=["confirmed_number", "confirmed_count_differs", "confirmed_by", "confirmed_at"])
    logger.info("number confirmed", extra={"number_id": str(number.pk), "number": value, "user_id": user.pk})
    return number


def number_delete(*, number: Number) -> None:
    """Removes the number and its digits (their rows in model versions' training sets go too, as with
    `services.drawing_delete`); the caller has checked who may (its owner, or staff)."""
    number_id = number.pk
    with transaction.atomic():
        number.delete()
    logger.info("number deleted", extra={"number_id": str(number_id)})


def digit_string(value) -> str:
    """1 to MAX_NUMBER_DIGITS ASCII digits, or ValueError (serializers check first, with a message)."""
    if not isinstance(value, str) or not DIGITS.fullmatch(value):
        raise ValueError(f"a number is 1 to {MAX_NUMBER_DIGITS} digits 0-9, not {value!r}")
    return value


def _digit_drawings(number: Number, reading: NumberReading, pixels: np.ndarray) -> list[Drawing]:
    """One unsaved Drawing per digit: its crop of the original as the image, the 28x28 input it was read from."""
    drawings = []
    for position, digit in enumerate(reading.digits):
        drawing = services.drawing_build(_crop_png(pixels, digit.box), digit.x, digit.prediction,
                                         number.model_version, Drawing.Source.NUMBER)
        drawing.number, drawing.position, drawing.box = number, position, list(digit.box)
        drawing.created, drawing.owner = number.created, number.owner
        drawings.append(drawing)
    return drawings


def _croppable(image: Image.Image) -> np.ndarray:
    """The upright upload's pixels in a layout OpenCV writes as PNG: gray, BGR, or BGRA when it had
    transparency (gray with transparency becomes BGRA, which looks the same)."""
    if image.mode not in ("L", "RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    pixels = np.asarray(image)
    if image.mode == "RGB":
        return cv2.cvtColor(pixels, cv2.COLOR_RGB2BGR)
    if image.mode == "RGBA":
        return cv2.cvtColor(pixels, cv2.COLOR_RGBA2BGRA)
    return pixels


def _crop_png(pixels: np.ndarray, box) -> bytes:
    """The digit's box with a margin, clipped to the image, as PNG (transparency kept).

    Fast compression: eight digits' crops are on the request path."""
    x, y, width, height = box
    margin = max(2, round(CROP_MARGIN * max(width, height)))
    return encode_png(pixels[max(0, y - margin) : y + height + margin, max(0, x - margin) : x + width + margin],
                      compression=1)


def _score(value: float | None) -> float | None:
    return None if value is None else services.probability(value)


def _log_number(number: Number, started: float, *, claimed_type: str = "") -> None:
    services.log_answer("number read", number, started, claimed_type=claimed_type, number_id=str(number.pk),
                        digits=len(number.number), rejected=len(number.rejected))
