"""Named digit sets for training and validation beyond MNIST, each as (inputs (N, 28, 28) float32, labels int64).

Every input comes out of `ml.preprocess`: sets that stand for what clients send are encoded as PNG
bytes and read back through `preprocess` (the serving path); training sets go through
`to_model_input`. Each function is deterministic: the ones without an `rng` use none, the others
are fixed by the generator's seed.

Which data may be used for what is the caller's business, with two rules: `.windep` (the unseen
writers) and the MNIST test split are for measuring only, never for training.

Never imports TensorFlow.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable

import cv2
import numpy as np

from ml.canvas import canvas_png, encode, to_image
from ml.preprocess import preprocess, to_model_input
from ml.scans import binarise, scan_variant, stretch_to_box, unstretch
from ml.writers import WriterDigits

Set = tuple[np.ndarray, np.ndarray]

SCAN_SIDE = 16  # the European forms: 16x16 black and white, stretched to fill
SCAN_UPSCALE = 8  # clients send small scans enlarged (pixelated) rather than at 16x16
NATIVE_UPSCALE = 4  # optdigits' 32x32 bitmaps sent as 128x128
POSTAL_SIDE = 16  # USPS: 16x16 grayscale, stretched to fill
POSTAL_BLUR_SIGMA = 0.6
POSTAL_UPSCALE = 8
SMALL_CANVAS_SIDES = (16, 24, 32)  # touch pads and small canvases, used in turn (an 8x8 pad is unreadable even to people)
SMALL_CANVAS_UPSCALE = 128  # the pad's pixels are sent enlarged to about this many px


def writers_train_inputs(writers: WriterDigits, rng: np.random.Generator, variants: int = 4) -> Set:
    """The 2,880 training writers' digits, `variants` random scans each: aspect restored with
    `unstretch`, then `scan_variant`, then `to_model_input`. For training (never touches `.windep`)."""
    images, labels = writers.train
    inputs = [
        to_model_input(scan_variant(unstretch(image / 255.0, rng, int(label)), rng))
        for _ in range(variants)
        for image, label in zip(images, labels)
    ]
    return _stack(inputs), np.tile(labels, variants).astype(np.int64)


def unseen_writers_scans(writers: WriterDigits) -> Set:
    """The 1,797 unseen writers' digits as 16x16 black-and-white scans stretched to fill the box, sent
    enlarged as black-on-white PNGs and read back by `preprocess`. Our proxy for the European set."""
    images, labels = writers.unseen
    return _through_png(images, labels, _form_scan_png)


def unseen_writers_32(writers: WriterDigits) -> Set:
    """The same 1,797 digits at their native 32x32 (as optdigits stored them), through PNG + preprocess."""
    images, labels = writers.unseen
    return _through_png(images, labels, lambda image: _pixels_png(image / 255.0, NATIVE_UPSCALE))


def postal_like(images: np.ndarray, labels: np.ndarray) -> Set:
    """MNIST digits as US postal scans: stretched to fill 16x16, grayscale, slightly blurred; PNG + preprocess.

    Pass the MNIST validation split (or test, to measure); never the test split for training.
    """
    return _through_png(images, labels, _postal_png)


def canvas_like(images: np.ndarray, labels: np.ndarray) -> Set:
    """MNIST digits redrawn as browser canvas PNGs (`ml.canvas.canvas_png`), through preprocess."""
    return _through_png(images, labels, canvas_png)


def small_canvas(images: np.ndarray, labels: np.ndarray) -> Set:
    """MNIST digits drawn on a small digital pad (16x16, 24x24, 32x32 in turn, solid strokes), sent
    enlarged, through preprocess."""
    return _through_png(images, labels, _small_canvas_png, with_index=True)


# --- rendering one image --------------------------------------------------------------------------


def _form_scan_png(image: np.ndarray) -> bytes:
    scan = binarise(stretch_to_box(image / 255.0, SCAN_SIDE), 0.5)
    return _pixels_png(scan, SCAN_UPSCALE)


def _postal_png(image: np.ndarray) -> bytes:
    scan = cv2.GaussianBlur(stretch_to_box(image / 255.0, POSTAL_SIDE), (3, 3), POSTAL_BLUR_SIGMA)
    return _pixels_png(scan / max(float(scan.max()), 1e-6), POSTAL_UPSCALE)


def _small_canvas_png(image: np.ndarray, index: int) -> bytes:
    side = SMALL_CANVAS_SIDES[index % len(SMALL_CANVAS_SIDES)]
    pad = binarise(cv2.resize(image / 255.0, (side, side), interpolation=cv2.INTER_AREA), 0.4)
    return _pixels_png(pad, max(1, SMALL_CANVAS_UPSCALE // side))


def _pixels_png(ink: np.ndarray, upscale: int) -> bytes:
    """An ink map as a client would send it: enlarged with visible pixels, black on white PNG."""
    big = cv2.resize(np.asarray(ink, dtype=np.float32), None, fx=upscale, fy=upscale, interpolation=cv2.INTER_NEAREST)
    return encode(to_image(np.clip(big, 0.0, 1.0), "black-on-white"))


def _through_png(
    images: np.ndarray, labels: np.ndarray, render: Callable[..., bytes], *, with_index: bool = False
) -> Set:
    pngs: Iterable[bytes] = (
        render(image, i) if with_index else render(image) for i, image in enumerate(images)
    )
    return _stack([preprocess(png) for png in pngs]), np.asarray(labels, dtype=np.int64).copy()


def _stack(inputs: list[np.ndarray]) -> np.ndarray:
    return np.stack(inputs).astype(np.float32) if inputs else np.zeros((0, 28, 28), dtype=np.float32)
