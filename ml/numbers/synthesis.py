"""Compose numbers of several digits from single labelled digits, laid out the ways people write them.

A number is built as an ink mask (float32, 1 = ink) from digits of a `ml.numbers.pool.DigitPool`,
each redrawn with a uniform pen at a common height (as a browser canvas or a pen on paper draws), then
placed left to right by one of `LAYOUTS`:

- spaced: clear gaps; tight: small gaps, the boxes may overlap but the ink does not touch;
- touching: every neighbouring pair's ink is pushed into contact (found by each row's ink edges);
- overlapping: neighbours' boxes overlap by a few pixels whatever the ink does;
- mixed_heights, drifting (a sloping, wobbling baseline), slanted (the whole number sheared);
- marks: separators (`.` `,` `-`) between digit groups, an underline and stray dots, none of them digits.

`ml.numbers.paper.render` turns the mask into the bytes a client sends (canvas, transparent, inverted,
scanned paper). Everything random comes from the caller's generator: a seed fixes the number.
Never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ml.numbers.pool import DigitPool
from ml.scans import slant

LAYOUTS = ("spaced", "tight", "touching", "overlapping", "mixed_heights", "drifting", "slanted", "marks")
MIN_DIGITS, MAX_DIGITS = 2, 8
HEIGHTS = (48, 110)  # digit height in px on a browser canvas
PEN = (0.07, 0.13)  # pen width as a share of the digit height

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class ComposedNumber:
    text: str  # the digits, left to right (marks are not part of it)
    mask: np.ndarray  # float32 (H, W), 1 = ink
    boxes: tuple[Box, ...]  # each digit's box in the mask (x, y, width, height), before any slant
    layout: str
    height: int  # the digits' nominal height in px


def compose(pool: DigitPool, rng: np.random.Generator, layout: str, *, digits: int | None = None,
            height: int | None = None, picks: list[int] | None = None) -> ComposedNumber:
    """One random number of `digits` digits (2-8 by default) from `pool`, in `layout`; `picks` chooses
    the pool's digits instead (their indices, left to right)."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {LAYOUTS}")
    count = digits or int(rng.integers(MIN_DIGITS, MAX_DIGITS + 1))
    height = height or int(rng.integers(*HEIGHTS))
    if picks is None:
        picks = list(rng.integers(0, len(pool.labels), size=count))
    text = "".join(str(int(pool.labels[i])) for i in picks)
    pen = max(2, int(round(height * rng.uniform(*PEN))))
    glyphs = [glyph(pool.images[i], _digit_height(height, layout, rng), pen) for i in picks]
    mask, boxes = _place(glyphs, layout, height, rng)
    if layout == "marks":
        mask = add_marks(mask, boxes, height, pen, rng)
    if layout == "slanted":
        mask = slant(mask, float(rng.choice([-1, 1]) * rng.uniform(0.15, 0.4)))
    return ComposedNumber(text, mask, tuple(boxes), layout, height)


def glyph(image: np.ndarray, height: int, pen: int) -> np.ndarray:
    """A digit's ink redrawn `height` px tall with strokes about `pen` px wide (its shape kept)."""
    scale = height / image.shape[0]
    width = max(1, round(image.shape[1] * scale))
    big = cv2.resize(image, (width, height), interpolation=cv2.INTER_LINEAR)
    big = cv2.GaussianBlur(big, (0, 0), max(0.5, scale / 2))  # rounds off the blocks of small scans
    core = (big > 0.45 * float(big.max(initial=1.0))).astype(np.uint8)
    skeleton_width = max(1.0, height / 20 * 2.0)  # MNIST's own strokes are ~2 px of a 20 px digit
    radius = int(round((pen - skeleton_width) / 2))
    if radius:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * abs(radius) + 1,) * 2)
        thinner = cv2.erode(core, kernel)
        core = cv2.dilate(core, kernel) if radius > 0 else (thinner if thinner.sum() > 0.3 * core.sum() else core)
    mask = cv2.GaussianBlur(core.astype(np.float32), (3, 3), 0)
    if not (mask > 0.5).any():  # strokes 1 px wide, which smoothing halves: widen them to 2 px
        mask = cv2.GaussianBlur(cv2.dilate(core, np.ones((2, 2), np.uint8)).astype(np.float32), (3, 3), 0)
    return np.pad(mask, 2)


def _digit_height(height: int, layout: str, rng: np.random.Generator) -> int:
    return int(round(height * rng.uniform(0.65, 1.3))) if layout == "mixed_heights" else height


def _place(glyphs: list[np.ndarray], layout: str, height: int, rng: np.random.Generator) -> tuple[np.ndarray, list[Box]]:
    """Positions left to right, then one canvas holding them all (ink combined by max)."""
    tops = _tops(glyphs, layout, height, rng)
    lefts = [0]
    for previous, current, top_p, top_c, left_p in zip(glyphs, glyphs[1:], tops, tops[1:], lefts):
        lefts.append(left_p + _advance(previous, current, top_c - top_p, layout, height, rng))
    margin = int(height * rng.uniform(0.3, 0.8))
    shift_x = margin - min(lefts)
    shift_y = margin - min(tops)
    width = max(left + g.shape[1] for left, g in zip(lefts, glyphs)) + shift_x + margin
    canvas_h = max(top + g.shape[0] for top, g in zip(tops, glyphs)) + shift_y + margin + height // 3
    mask = np.zeros((canvas_h, width), dtype=np.float32)
    boxes = []
    for g, left, top in zip(glyphs, lefts, tops):
        x, y = left + shift_x, top + shift_y
        np.maximum(mask[y : y + g.shape[0], x : x + g.shape[1]], g, out=mask[y : y + g.shape[0], x : x + g.shape[1]])
        boxes.append(_ink_box(g, x, y))
    return mask, boxes


def _tops(glyphs: list[np.ndarray], layout: str, height: int, rng: np.random.Generator) -> list[int]:
    """Each glyph's top so the bottoms sit on a baseline (sloping and wobbling when `drifting`)."""
    slope = rng.uniform(0.08, 0.2) * rng.choice([-1, 1]) if layout == "drifting" else 0.0
    wobble = 0.08 * height if layout == "drifting" else 0.02 * height
    tops, position = [], 0.0
    for g in glyphs:
        baseline = slope * position + rng.normal(0.0, wobble)
        tops.append(int(round(baseline - g.shape[0])))
        position += g.shape[1]
    return tops


def _advance(left: np.ndarray, right: np.ndarray, dy: int, layout: str, height: int, rng: np.random.Generator) -> int:
    """How far right of `left`'s origin `right` goes (dy: right's top minus left's top). Gaps and
    overlaps are between the glyphs' ink boxes, not their padded arrays."""
    box_gap = {
        "spaced": (0.2, 0.6), "mixed_heights": (0.12, 0.45), "drifting": (0.12, 0.45),
        "slanted": (0.15, 0.45), "marks": (0.25, 0.5), "tight": (0.02, 0.1),
    }
    flush = _ink_columns(left)[1] + 1 - _ink_columns(right)[0]  # ink boxes side by side
    if layout in box_gap:
        return flush + max(1, int(round(height * rng.uniform(*box_gap[layout]))))
    free = _contact(left, right, dy)
    if layout == "touching" and free is not None:
        return free - int(rng.integers(1, max(2, height // 16) + 1))
    overlap = int(rng.integers(3, max(4, int(0.12 * height)) + 1))  # overlapping, or touching with no shared rows
    return flush - overlap


def _ink_columns(g: np.ndarray) -> tuple[int, int]:
    columns = np.flatnonzero((g > 0.5).any(axis=0))
    return int(columns[0]), int(columns[-1])


def _contact(left: np.ndarray, right: np.ndarray, dy: int) -> int | None:
    """The smallest advance at which the two glyphs' ink does not overlap (None: no shared rows)."""
    needed = None
    for row in range(max(0, dy), min(left.shape[0], dy + right.shape[0])):
        ink_l = np.flatnonzero(left[row] > 0.5)
        ink_r = np.flatnonzero(right[row - dy] > 0.5)
        if ink_l.size and ink_r.size:
            gap = int(ink_l[-1]) - int(ink_r[0]) + 1
            needed = gap if needed is None else max(needed, gap)
    return needed


def _ink_box(g: np.ndarray, x: int, y: int) -> Box:
    rows, cols = np.nonzero(g > 0.5)
    return (x + int(cols.min()), y + int(rows.min()), int(cols.max() - cols.min() + 1), int(rows.max() - rows.min() + 1))


# --- marks that are not digits --------------------------------------------------------------------


def add_marks(mask: np.ndarray, boxes: list[Box], height: int, pen: int, rng: np.random.Generator) -> np.ndarray:
    """A separator in one gap between digits, an underline below (not touching) and 1-2 stray dots."""
    mask = mask.copy()
    if len(boxes) > 1:
        gap = int(rng.integers(0, len(boxes) - 1))
        _separator(mask, boxes[gap], boxes[gap + 1], height, pen, rng)
    bottom = max(y + h for _, y, _, h in boxes)
    underline_y = min(mask.shape[0] - pen - 1, bottom + int(height * rng.uniform(0.1, 0.25)))
    left, right = boxes[0][0], boxes[-1][0] + boxes[-1][2]
    tilt = int(rng.integers(-height // 12, height // 12 + 1))
    cv2.line(mask, (left, underline_y), (right, min(mask.shape[0] - 1, underline_y + tilt)), 1.0, pen, cv2.LINE_AA)
    for _ in range(int(rng.integers(1, 3))):
        _stray_dot(mask, boxes, pen, rng)
    return mask


def _separator(mask: np.ndarray, a: Box, b: Box, height: int, pen: int, rng: np.random.Generator) -> None:
    x = (a[0] + a[2] + b[0]) // 2
    base = max(a[1] + a[3], b[1] + b[3])
    room = b[0] - (a[0] + a[2]) - 2 * pen  # the dash must not touch either digit
    kind = rng.choice([".", ",", "-"]) if room >= 2 * pen else "."
    if kind == ".":
        cv2.circle(mask, (x, base - pen), max(2, int(pen * 0.8)), 1.0, -1, cv2.LINE_AA)
    elif kind == ",":
        cv2.line(mask, (x + pen // 2, base - pen), (x - pen, base + height // 6), 1.0, pen, cv2.LINE_AA)
    else:
        half = min(max(pen, int(height * rng.uniform(0.1, 0.18))), room // 2)
        cv2.line(mask, (x - half, base - height // 2), (x + half, base - height // 2), 1.0, pen, cv2.LINE_AA)


def _stray_dot(mask: np.ndarray, boxes: list[Box], pen: int, rng: np.random.Generator) -> None:
    """A small dot in the margin above the digits, where it touches none of them."""
    top = min(y for _, y, _, _ in boxes)
    if top < 3 * pen:
        return
    x = int(rng.integers(pen, mask.shape[1] - pen))
    y = int(rng.integers(pen, top - pen))
    cv2.circle(mask, (x, y), max(1, pen // 2), 1.0, -1, cv2.LINE_AA)
