"""Make any ink map look like the scans people send: stretched, binarised, low-resolution, slanted, warped.

Every function takes and returns an ink map: float32 (H, W) in [0, 1], 1 = ink, background 0, any size
(`ml.preprocess.to_model_input` turns the result into the model's input). Randomness only ever comes
from the `rng` a caller passes, so a seed fixes the output.

Form scans (optdigits, Semeion) scaled every digit to *fill* a 16x16 or 32x32 box, ignoring its aspect
ratio, then thresholded it to black and white; US postal (USPS) scans are 16x16 grayscale, also
stretched. `scan_variant` picks one such capture at random, after a random slant, elastic warp and pen.

Never imports TensorFlow.
"""
from __future__ import annotations

import cv2
import numpy as np

INK_FLOOR = 0.05  # ink weaker than this does not count when cropping to the digit
MIN_THINNED_SHARE = 0.3  # an erosion that keeps less of the ink than this erased the digit
MAX_SLANT = 0.4  # horizontal shear either way; more looks like no one's handwriting
# Target width/height of a digit after `unstretch`, per label: roughly MNIST's interquartile range
# (measured on MNIST train bounding boxes), wider for 1 than MNIST's sticks because European 1s have flags.
UNSTRETCH_ASPECT = {
    0: (0.70, 1.05), 1: (0.22, 0.62), 2: (0.70, 1.10), 3: (0.60, 0.95), 4: (0.60, 1.00),
    5: (0.70, 1.10), 6: (0.55, 0.90), 7: (0.60, 0.95), 8: (0.55, 0.95), 9: (0.50, 0.85),
}
UNKNOWN_ASPECT = (0.5, 1.0)  # when no label is given
ELASTIC_REFERENCE = 28  # `elastic` alpha/sigma are in pixels of a 28-px digit, scaled to the map's size
LOWRES_SIDES = (10, 16)  # "lowres" capture: longest side in px, inclusive
PAD_SIDES = (9, 24)  # "pad" capture: the digit's longest side on a small touch pad, in px, inclusive
CAPTURES = ("form16", "form32", "postal16", "lowres", "clean", "pad")
CAPTURE_WEIGHTS = (0.3, 0.15, 0.2, 0.1, 0.1, 0.15)


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    """The smallest rectangle holding all ink (the map itself if it holds none)."""
    ink = np.asarray(ink, dtype=np.float32)
    rows, cols = np.nonzero(ink > INK_FLOOR)
    if rows.size == 0:
        return ink
    return ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]


def stretch_to_box(ink: np.ndarray, size: int) -> np.ndarray:
    """Crop to the ink and resize to fill size x size, ignoring the aspect ratio (as form scanners did)."""
    digit = crop_to_ink(ink)
    return _resize(digit, size, size)


def binarise(ink: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Black and white: 1 where the ink reaches `threshold` of the strongest ink, else 0."""
    ink = np.asarray(ink, dtype=np.float32)
    strongest = float(ink.max(initial=0.0))
    if strongest == 0.0:
        return np.zeros_like(ink)
    return (ink >= threshold * strongest).astype(np.float32)


def low_resolution(ink: np.ndarray, size: int) -> np.ndarray:
    """The map shrunk (area-averaged, aspect kept) so its longest side is `size` px: a coarse capture."""
    height, width = np.shape(ink)
    scale = size / max(height, width)
    return _resize(np.asarray(ink, dtype=np.float32), max(1, round(height * scale)), max(1, round(width * scale)))


def elastic(ink: np.ndarray, rng: np.random.Generator, alpha: float = 34.0, sigma: float = 4.0) -> np.ndarray:
    """Simard et al. (2003) elastic distortion: a smoothed random displacement field, scaled by alpha.

    alpha and sigma are in pixels of a 28-px image and scale with the map, so one setting suits any size.
    """
    ink = np.asarray(ink, dtype=np.float32)
    height, width = ink.shape
    factor = max(height, width) / ELASTIC_REFERENCE
    dx, dy = (_smooth_field(rng, ink.shape, sigma * factor) * alpha * factor for _ in range(2))
    grid_x, grid_y = np.meshgrid(np.arange(width, dtype=np.float32), np.arange(height, dtype=np.float32))
    warped = cv2.remap(ink, grid_x + dx, grid_y + dy, cv2.INTER_LINEAR, borderValue=0.0)
    return np.clip(warped, 0.0, 1.0)


def slant(ink: np.ndarray, shear: float) -> np.ndarray:
    """Shear horizontally; shear > 0 leans the top to the right (italic). The canvas widens to fit."""
    ink = np.asarray(ink, dtype=np.float32)
    height, width = ink.shape
    extra = int(np.ceil(abs(shear) * height))
    # x' = x + shear * (height - 1 - y): the top moves by shear * (height - 1), the bottom stays;
    # leaning left, everything also moves right by the overhang so no ink leaves the canvas.
    shift = shear * (height - 1) if shear > 0 else 0.0
    matrix = np.float32([[1, -shear, shift], [0, 1, 0]])
    return np.clip(cv2.warpAffine(ink, matrix, (width + extra, height), flags=cv2.INTER_LINEAR), 0.0, 1.0)


def stroke_width(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A thicker marker or a thinner pen: dilate or erode by a random radius (~1-6 % of the digit).

    Where eroding would erase most of the digit (strokes 1-3 px wide), the pen is thinned instead by
    dropping its faint edges.
    """
    ink = np.asarray(ink, dtype=np.float32)
    radius = max(1, int(round(max(ink.shape) * rng.uniform(0.01, 0.06))))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))
    if rng.random() < 0.6:
        return cv2.dilate(ink, kernel)
    thinner = cv2.erode(ink, kernel)
    if thinner.sum() > MIN_THINNED_SHARE * ink.sum():
        return thinner
    edge = rng.uniform(0.3, 0.6) * float(ink.max(initial=0.0))
    return np.clip((ink - edge) / max(1.0 - edge, 1e-6), 0.0, 1.0).astype(np.float32)


def unstretch(ink: np.ndarray, rng: np.random.Generator, label: int | None = None) -> np.ndarray:
    """Give an optdigits digit a plausible aspect ratio again: its width is resampled to a random
    width/height drawn for its label (narrow for 1s, which optdigits widened into bars or flags)."""
    digit = crop_to_ink(ink)
    low, high = UNSTRETCH_ASPECT.get(label, UNKNOWN_ASPECT)
    height = digit.shape[0]
    width = max(1, round(height * rng.uniform(low, high)))
    return _pad(_resize(digit, height, width), max(2, height // 8))


def scan_variant(ink: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A random plausible scan of the digit: optional slant, elastic warp and pen width, then one capture.

    Captures: "form16"/"form32" (stretched to fill a 16/32 box, black and white, like European forms),
    "postal16" (stretched 16x16 grayscale, slightly blurred, like USPS), "lowres" (aspect kept, 10-16 px,
    grayscale), "pad" (aspect kept, 9-24 px, each pixel on or off, like a small touch pad) and "clean"
    (as drawn).
    """
    ink = crop_to_ink(ink)
    ink = _pad(ink, max(2, max(ink.shape) // 8))  # room for the warp and a fatter pen
    if rng.random() < 0.5:
        ink = slant(ink, rng.uniform(-MAX_SLANT, MAX_SLANT))
    if rng.random() < 0.3:
        ink = elastic(ink, rng, alpha=rng.uniform(8.0, 30.0), sigma=rng.uniform(3.5, 5.0))
    if rng.random() < 0.3:
        ink = stroke_width(ink, rng)
    return capture(ink, str(rng.choice(CAPTURES, p=CAPTURE_WEIGHTS)), rng)


def capture(ink: np.ndarray, kind: str, rng: np.random.Generator) -> np.ndarray:
    """One capture of `scan_variant` by name (see there), scaled so the strongest ink is 1 (as
    `ml.preprocess.decode_ink` scales what clients send)."""
    if kind == "form16":
        scanned = binarise(stretch_to_box(ink, 16), rng.uniform(0.35, 0.6))
    elif kind == "form32":
        scanned = binarise(stretch_to_box(ink, 32), rng.uniform(0.35, 0.6))
    elif kind == "postal16":
        scanned = cv2.GaussianBlur(stretch_to_box(ink, 16), (3, 3), rng.uniform(0.3, 0.8))
    elif kind == "lowres":
        scanned = low_resolution(ink, int(rng.integers(LOWRES_SIDES[0], LOWRES_SIDES[1] + 1)))
    elif kind == "pad":
        side = int(rng.integers(PAD_SIDES[0], PAD_SIDES[1] + 1))
        scanned = binarise(low_resolution(ink, side), rng.uniform(0.3, 0.5))
    elif kind == "clean":
        scanned = np.asarray(ink, dtype=np.float32)
    else:
        raise ValueError(f"unknown capture {kind!r}; expected one of {CAPTURES}")
    return _normalise(scanned)


def _resize(ink: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area-average when the area shrinks, bilinear when it grows."""
    old_h, old_w = ink.shape
    shrinking = height * width < old_h * old_w
    interpolation = cv2.INTER_AREA if shrinking else cv2.INTER_LINEAR
    return np.clip(cv2.resize(ink, (width, height), interpolation=interpolation), 0.0, 1.0).astype(np.float32)


def _normalise(ink: np.ndarray) -> np.ndarray:
    strongest = float(ink.max(initial=0.0))
    return (ink / strongest).astype(np.float32) if strongest > 0 else ink.astype(np.float32)


def _pad(ink: np.ndarray, margin: int) -> np.ndarray:
    return np.pad(np.asarray(ink, dtype=np.float32), margin)


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], sigma: float) -> np.ndarray:
    field = rng.uniform(-1.0, 1.0, size=shape).astype(np.float32)
    return cv2.GaussianBlur(field, (0, 0), sigma)
