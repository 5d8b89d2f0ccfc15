"""Synthetic lines for the line model: numbers of 1-8 digits from a digit pool, in every layout,
as `line_input` gives them, with their digit strings. Never imports TensorFlow."""
from __future__ import annotations

import cv2
import numpy as np

from ml.numbers.lines import HEIGHT, WIDTH, line_input
from ml.numbers.pool import DigitPool
from ml.numbers.synthesis import LAYOUTS, compose

MAX_TEXT = 8  # digits per line at most
PAD = -1  # label padding


def lines(pool: DigitPool, count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`count` lines → inputs (count, 24, 160) as uint8 (255 = full ink), labels (count, 8) padded with -1, label lengths (count,)."""
    rng = np.random.default_rng(seed)
    xs = np.zeros((count, HEIGHT, WIDTH), dtype=np.uint8)
    labels = np.full((count, MAX_TEXT), PAD, dtype=np.int32)
    lengths = np.zeros(count, dtype=np.int32)
    for i in range(count):
        text, x = one_line(pool, rng)
        xs[i] = np.rint(x * 255)
        labels[i, : len(text)] = [int(c) for c in text]
        lengths[i] = len(text)
    return xs, labels, lengths


def one_line(pool: DigitPool, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    layout = str(rng.choice(LAYOUTS))
    digits = int(rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8]))
    number = compose(pool, rng, layout, digits=digits)
    ink = number.mask
    if rng.random() < 0.3:  # faint or uneven pens, blurred scans
        ink = cv2.GaussianBlur(ink, (0, 0), float(rng.uniform(0.5, 1.5))) * float(rng.uniform(0.5, 1.0))
    x, _ = line_input(ink)
    return number.text, x
