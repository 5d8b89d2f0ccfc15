"""Drawings that are not numbers, written on the number canvas: how often does the reader say so?

Fifteen shapes people draw instead of a number (crosses, a hash, an asterisk, a spiral, a star, a grid,
circled crosses, letters, a wave, a heart, a smiley, a triangle), each at two sizes with a pen that
grows with it, as black strokes on a 625x250 white canvas (PNG, as the page sends it). Some are close
to digits (a triangle to a 0, a W to 111, an A to 14): `measure` counts the drawings answered with
no digits at all. Made by hand after the reader's rule for whole pieces (`ml.numbers.search`) and
never used to tune a constant. Never imports TensorFlow.
"""
from __future__ import annotations

import math

import cv2
import numpy as np

from ml.numbers.paper import render
from ml.numbers.lines import LineReader
from ml.numbers.reading import read_number
from ml.predictor import Predictor
from ml.preprocess import DrawingError

Stroke = list[tuple[float, float]]
CANVAS = (250, 625)  # height, width in px
SIZES = ((0.7, 9), (0.5, 14))  # the shape's height as a share of the canvas, and the pen in px


def _ellipse(cx: float, cy: float, r: float, points: int = 40, start: float = 0.0, end: float = 2 * math.pi) -> Stroke:
    return [(cx + r * math.cos(start + (end - start) * i / points), cy + r * math.sin(start + (end - start) * i / points))
            for i in range(points + 1)]


# Each shape: strokes in a unit box (x and y from 0 to 1, y down).
SHAPES: dict[str, list[Stroke]] = {
    "cross": [[(0.2, 0.2), (0.8, 0.8)], [(0.8, 0.2), (0.2, 0.8)]],
    "hash": [[(0.35, 0.1), (0.3, 0.9)], [(0.65, 0.1), (0.6, 0.9)], [(0.1, 0.35), (0.9, 0.35)], [(0.1, 0.65), (0.9, 0.65)]],
    "asterisk": [[(0.5, 0.1), (0.5, 0.9)], [(0.15, 0.3), (0.85, 0.7)], [(0.85, 0.3), (0.15, 0.7)]],
    "spiral": [[(0.5 + 0.02 * t * math.cos(t * math.pi / 5), 0.5 + 0.02 * t * math.sin(t * math.pi / 5)) for t in range(41)]],
    "triangle": [[(0.5, 0.1), (0.9, 0.9), (0.1, 0.9), (0.5, 0.1)]],
    "wave": [[(0.05 + 0.9 * i / 40, 0.5 + 0.25 * math.sin(i / 40 * 4 * math.pi)) for i in range(41)]],
    "star": [[(0.5 + 0.45 * math.sin(k * 4 * math.pi / 5), 0.55 - 0.45 * math.cos(k * 4 * math.pi / 5)) for k in range(6)]],
    "letter A": [[(0.1, 0.9), (0.5, 0.1), (0.9, 0.9)], [(0.3, 0.55), (0.7, 0.55)]],
    "circled plus": [_ellipse(0.5, 0.5, 0.42), [(0.5, 0.08), (0.5, 0.92)], [(0.08, 0.5), (0.92, 0.5)]],
    "circled cross": [_ellipse(0.5, 0.5, 0.42), [(0.2, 0.2), (0.8, 0.8)], [(0.8, 0.2), (0.2, 0.8)]],
    "heart": [[(0.5, 0.3), (0.3, 0.1), (0.1, 0.25), (0.15, 0.5), (0.5, 0.9), (0.85, 0.5), (0.9, 0.25), (0.7, 0.1), (0.5, 0.3)]],
    "smiley": [_ellipse(0.5, 0.5, 0.42), _ellipse(0.35, 0.38, 0.03, 8), _ellipse(0.65, 0.38, 0.03, 8),
               _ellipse(0.5, 0.55, 0.2, 20, 0.3, math.pi - 0.3)],
    "grid": [[(0.1, y), (0.9, y)] for y in (0.2, 0.5, 0.8)] + [[(x, 0.1), (x, 0.9)] for x in (0.2, 0.5, 0.8)],
    "letter W": [[(0.05, 0.1), (0.25, 0.9), (0.5, 0.3), (0.75, 0.9), (0.95, 0.1)]],
    "letter M": [[(0.1, 0.9), (0.15, 0.1), (0.5, 0.6), (0.85, 0.1), (0.9, 0.9)]],
}


def drawing(name: str, size: float, pen: int) -> bytes:
    """The PNG of one shape, `size` of the canvas tall, left of centre as a number's first digit would be."""
    mask = np.zeros(CANVAS, dtype=np.uint8)
    side, top = size * CANVAS[0], (1 - size) * CANVAS[0] / 2
    for stroke in SHAPES[name]:
        points = np.array([[100 + x * side, top + y * side] for x, y in stroke], dtype=np.int32)
        cv2.polylines(mask, [points], False, 255, pen, cv2.LINE_AA)
    return render(mask.astype(np.float32) / 255.0, "canvas", np.random.default_rng(0))


def measure(predictor: Predictor, lines: LineReader | None = None) -> dict:
    """Each shape at each size read as a number: how many come back with no digits, and what the rest read."""
    read = {}
    for name in SHAPES:
        for size, pen in SIZES:
            try:
                number = read_number(drawing(name, size, pen), predictor, lines=lines).number
            except DrawingError:
                number = ""
            read[f"{name} ({size:.0%} tall)"] = number
    no_digits = sum(number == "" for number in read.values())
    return {"count": len(read), "no_digits": no_digits, "share": round(no_digits / len(read), 4), "read": read}
