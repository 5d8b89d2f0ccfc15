"""Synthetic lines for the line model: numbers of 1-8 digits from a digit pool, in every layout,
as `line_input` gives them, with their digit strings. Never imports TensorFlow.

MNIST's writers are 95 % of the training pool and the digits people send are not MNIST's, so each line
draws more of the optdigits writers' digits than their share, and varies every digit the way the digit
model's training varies its scans (`ml.scans`): an elastic warp, its own slant and width, and now and
then a digit drawn in a style MNIST lacks (`ml.styles`: flagged 1s, crossed 7s, open 4s, curled 9s).
"""
from __future__ import annotations

import cv2
import numpy as np

from ml.numbers.lines import HEIGHT, LINE_DIGITS, WIDTH, line_input
from ml.numbers.pool import DigitPool
from ml.numbers.synthesis import LAYOUTS, compose
from ml.scans import crop_to_ink, elastic, slant
from ml.styles import RARE_STYLES, STYLES, draw_style

PAD = -1  # label padding
WRITERS_SHARE = 0.25  # of a line's digits, drawn from the optdigits writers (their share of the pool is 5 %)
STYLE_SHARE = 0.06  # of a line's digits, drawn in one of `ml.styles.RARE_STYLES` instead
WARP_SHARE, SLANT_SHARE, WIDTH_SHARE = 0.4, 0.3, 0.3  # of the other digits, each varied independently
# Touching and overlapping lines are what the line model is for: a quarter of the lines each.
LAYOUT_WEIGHTS = [0.25 if layout in ("touching", "overlapping") else 0.5 / (len(LAYOUTS) - 2) for layout in LAYOUTS]


def lines(pool: DigitPool, count: int, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`count` lines → inputs (count, 24, 160) as uint8 (255 = full ink), labels (count, 8) padded with -1, label lengths (count,)."""
    rng = np.random.default_rng(seed)
    xs = np.zeros((count, HEIGHT, WIDTH), dtype=np.uint8)
    labels = np.full((count, LINE_DIGITS), PAD, dtype=np.int32)
    lengths = np.zeros(count, dtype=np.int32)
    for i in range(count):
        text, x = one_line(pool, rng)
        xs[i] = np.rint(x * 255)
        labels[i, : len(text)] = [int(c) for c in text]
        lengths[i] = len(text)
    return xs, labels, lengths


def one_line(pool: DigitPool, rng: np.random.Generator) -> tuple[str, np.ndarray]:
    layout = str(rng.choice(LAYOUTS, p=LAYOUT_WEIGHTS))
    count = int(rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8]))
    digits = [varied_digit(pool, rng) for _ in range(count)]
    line_pool = DigitPool(tuple(ink for ink, _ in digits), np.array([label for _, label in digits], dtype=np.int64))
    number = compose(line_pool, rng, layout, picks=list(range(count)))
    ink = number.mask
    if rng.random() < 0.3:  # faint or uneven pens, blurred scans
        ink = cv2.GaussianBlur(ink, (0, 0), float(rng.uniform(0.5, 1.5))) * float(rng.uniform(0.5, 1.0))
    x, _ = line_input(ink)
    return number.text, x


def varied_digit(pool: DigitPool, rng: np.random.Generator) -> tuple[np.ndarray, int]:
    """One digit for a line (ink cropped to itself, label): a rare style, or a pool digit varied."""
    if rng.random() < STYLE_SHARE:
        name = str(rng.choice(RARE_STYLES))
        return crop_to_ink(draw_style(name, rng)), STYLES[name][0]
    writers = pool.first_writer < len(pool.labels) and rng.random() < WRITERS_SHARE
    index = int(rng.integers(pool.first_writer if writers else 0, len(pool.labels)))
    ink = np.pad(pool.images[index], 3)  # room for the warp
    if rng.random() < WARP_SHARE:
        ink = elastic(ink, rng, alpha=rng.uniform(8.0, 30.0), sigma=rng.uniform(3.5, 5.0))
    if rng.random() < SLANT_SHARE:
        ink = slant(ink, rng.uniform(-0.3, 0.3))
    if rng.random() < WIDTH_SHARE:
        height, width = ink.shape
        ink = cv2.resize(ink, (max(2, round(width * rng.uniform(0.75, 1.3))), height), interpolation=cv2.INTER_LINEAR)
    ink = crop_to_ink(ink)
    return ink / max(float(ink.max()), 1e-6), int(pool.labels[index])  # a warp can thin strokes to faint ink
