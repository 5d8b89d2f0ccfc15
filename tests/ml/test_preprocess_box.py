"""The request path cleans only the box around the strokes, and counts component areas itself: the model
input must be exactly what cleaning the whole canvas with OpenCV's component statistics gave, which is
how the shipped model's figures were measured."""
import cv2
import numpy as np

from ml import canvas
from ml.preprocess import (
    MIN_COMPONENT_SHARE,
    MIN_CONTRAST,
    NOISE_FLOOR,
    DrawingError,
    _centre_by_mass,
    _fit_box,
    decode_ink,
    to_model_input,
)


def whole_canvas_model_input(ink: np.ndarray) -> np.ndarray:
    """`to_model_input` as it was: every pixel of the canvas cleaned, areas from connectedComponentsWithStats."""
    ink = np.asarray(ink, dtype=np.float32)
    if ink.max(initial=0) > 1.0:
        ink = ink / 255.0
    strongest = float(ink.max(initial=0.0))
    if strongest < MIN_CONTRAST:
        raise DrawingError("no digit found in the drawing")
    ink = np.where(ink >= NOISE_FLOOR * strongest, ink, 0.0).astype(np.float32)
    count, labels, stats, _ = cv2.connectedComponentsWithStats((ink > 0).astype(np.uint8), connectivity=8)
    if count > 2:
        areas = stats[1:, cv2.CC_STAT_AREA]
        keep = np.zeros(count, dtype=bool)
        keep[1:] = areas >= MIN_COMPONENT_SHARE * areas.sum()
        ink = np.where(keep[labels], ink, 0.0).astype(np.float32)
    rows, cols = np.nonzero(ink)
    return _centre_by_mass(_fit_box(ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]))


def with_specks(mask: np.ndarray, seed: int) -> np.ndarray:
    """A canvas with a few dots and faint smudges beside the digit, some far from it."""
    rng = np.random.default_rng(seed)
    out = mask.copy()
    for _ in range(rng.integers(1, 6)):
        row, col = rng.integers(0, out.shape[0] - 4), rng.integers(0, out.shape[1] - 4)
        out[row : row + rng.integers(1, 4), col : col + rng.integers(1, 4)] = rng.uniform(0.05, 1.0)
    return out


def test_canvas_drawings_give_exactly_the_whole_canvas_input(mnist_test):
    images, _ = mnist_test
    for i, image in enumerate(images[:100]):
        mask = canvas.stroke_mask(image)
        small = canvas.place(canvas.stroke_mask(image, size=90), (400, 600), 250, 40)  # a corner of a big canvas
        for ink in (decode_ink(canvas.canvas_png(image)), with_specks(mask, i), with_specks(small, i)):
            assert np.array_equal(to_model_input(ink), whole_canvas_model_input(ink))


def test_raw_mnist_digits_give_exactly_the_whole_canvas_input(mnist_test):
    images, _ = mnist_test
    for image in images[:1000]:
        assert np.array_equal(to_model_input(image), whole_canvas_model_input(image))
