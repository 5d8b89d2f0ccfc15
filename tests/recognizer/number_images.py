"""Numbers written with real MNIST test digits, well spaced on a wide canvas, as a browser sends them.

Used by the number API, service and admin tests; the reading itself is tested in tests/ml.
"""
import io

import cv2
import numpy as np
from PIL import Image

from ml.canvas import encode, stroke_mask, to_image

DIGIT_SIDE = 140  # each digit's square on the canvas
GAP = 10  # between two digits' squares (MNIST digits also have ~20 px of empty border at this size)
MARGIN = 20  # around the row of digits


def compose(mnist, text: str, *, side: int = DIGIT_SIDE, gap: int = GAP, nth: int = 0) -> np.ndarray:
    """An ink mask (1 = ink) of `text`'s digits left to right, each the `nth` image of its label in `mnist`
    ((images, labels) of a split)."""
    images, labels = mnist
    canvas = np.zeros((side + 2 * MARGIN, len(text) * (side + gap) - gap + 2 * MARGIN), np.float32)
    for i, char in enumerate(text):
        mask = stroke_mask(images[np.flatnonzero(labels == int(char))[nth]], side)
        left = MARGIN + i * (side + gap)
        window = canvas[MARGIN : MARGIN + side, left : left + side]
        np.maximum(window, mask, out=window)
    return canvas


def number_png(mnist, text: str, *, style: str = "black-on-white", **layout) -> bytes:
    return encode(to_image(compose(mnist, text, **layout), style))


def shapes_png() -> bytes:
    """Three stars: ink, but nothing like a digit."""
    canvas = np.zeros((200, 400), np.uint8)
    for i in range(3):
        cv2.drawMarker(canvas, (80 + i * 120, 100), 255, cv2.MARKER_STAR, 80, 8)
    return encode(to_image(canvas.astype(np.float32) / 255))


def exif_rotated_jpeg(mask: np.ndarray) -> bytes:
    """A JPEG whose pixels are stored turned a quarter, with EXIF orientation 6 saying how to turn them
    back (as phone cameras save): upright once the orientation is applied."""
    stored = to_image(mask).transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it 270° back
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    stored.save(buffer, format="JPEG", quality=95, exif=exif.tobytes())
    return buffer.getvalue()


def activate_refusing_version():
    """Serve the shipped model with a not-a-digit threshold no score reaches (it is over 1), so every piece
    of ink is answered "not a digit" whatever the segmentation: a real model version, set strict on purpose."""
    from ml.report import Report
    from recognizer.models import ModelVersion
    from recognizer.services import model_version_activate

    shipped = ModelVersion.objects.get(is_active=True)
    report = Report.from_dict(shipped.metrics)
    report.serving = {**report.serving, "digit_threshold": 1.01}
    strict = ModelVersion.objects.create(
        name=f"{shipped.name}-refuses-all", artifact=shipped.artifact, sha256=shipped.sha256, metrics=report.to_dict()
    )
    return model_version_activate(version=strict)
