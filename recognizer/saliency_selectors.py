"""Reads: the "why" heatmap of a stored drawing. Computing one writes nothing (no row, no cache).

The map is computed with the model version that answered the drawing, with that version's
calibration, and explains the answer the user was given (the stored digit, or "not a digit"), so it
never drifts when another version becomes active. 68-113 ms of one core per map (257 model inputs,
docs/saliency.md), on demand only: nothing computes maps for drawings nobody asks about.
"""
import uuid

from ml.preprocess import SIZE, png_to_input
from ml.saliency import explain
from ml.saliency_image import overlay_png
from recognizer import selectors
from recognizer.predictors import predictor_for


class UnreadableInput(ValueError):
    """The stored 28x28 input is not a readable 28x28 image (only a row written outside the services)."""


def drawing_saliency_png(*, drawing_id: str | uuid.UUID) -> bytes | None:
    """The heatmap over the drawing's model input as a 280x280 PNG; None when there is no such drawing."""
    drawing = selectors.drawing_get(drawing_id=drawing_id)
    if drawing is None:
        return None
    x = _stored_input(drawing.pk)
    answer = None if drawing.is_digit is False else drawing.predicted_digit
    saliency = explain(predictor_for(drawing.model_version), x, answer=answer)
    return overlay_png(x, saliency.heat)


def _stored_input(drawing_id: uuid.UUID):
    png = selectors.drawing_input_png(drawing_id=drawing_id)
    try:
        x = png_to_input(png)
    except (OSError, ValueError, SyntaxError) as err:  # Pillow's ways of refusing damaged bytes
        raise UnreadableInput(str(err)) from None
    if x.shape != (SIZE, SIZE):
        raise UnreadableInput(f"the stored input is {x.shape[1]}x{x.shape[0]}, not {SIZE}x{SIZE}")
    return x
