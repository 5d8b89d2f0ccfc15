"""Procedural handwritten digits in the styles MNIST lacks (European 1s and 7s, open 4s, curled 9s, ...).

Each style is a small function returning strokes in glyph units: y runs from 0 (top) to 1 (bottom),
x is in the same units (a digit 0.6 wide is 0.6 of its height). A stroke is either a polyline with
sharp corners ("line") or a smooth Catmull-Rom curve through its control points ("curve"). Every sample
gets random wobble (jitter of the control points), aspect, slant and pen width, is drawn anti-aliased
with OpenCV on a large canvas, and goes through `ml.preprocess.to_model_input` like any drawing.

Never imports TensorFlow.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import cv2
import numpy as np

from ml.preprocess import to_model_input
from ml.scans import scan_variant

CANVAS = 144  # square canvas side, px: room for the widest slanted glyph and the pen
GLYPH_HEIGHT = 80  # digit height on the canvas before slant, px
SUBPIXEL_BITS = 4  # cv2 `shift`: coordinates with 1/16 px precision
CURVE_SAMPLES = 12  # points per curve segment between two control points
WOBBLE = (0.0, 0.03)  # std of control-point jitter, glyph units
ASPECT = (0.8, 1.2)  # random widening factor
SHEAR = (-0.25, 0.4)  # random slant; people lean right more often than left
PEN = (0.06, 0.16)  # pen width as a share of the digit height


class Stroke(NamedTuple):
    kind: str  # "line" (corners kept) or "curve" (smooth through the points)
    points: np.ndarray  # (K, 2) x, y in glyph units


def line(*points: tuple[float, float]) -> Stroke:
    return Stroke("line", np.array(points, dtype=np.float64))


def curve(*points: tuple[float, float]) -> Stroke:
    return Stroke("curve", np.array(points, dtype=np.float64))


def ellipse(cx: float, cy: float, rx: float, ry: float, start: float, end: float, step: float = 45.0) -> Stroke:
    """A smooth arc from angle `start` to `end` (degrees; 0 = right, 90 = bottom, since y points down)."""
    count = max(3, int(abs(end - start) / step) + 1)
    angles = np.radians(np.linspace(start, end, count))
    return Stroke("curve", np.stack([cx + rx * np.cos(angles), cy + ry * np.sin(angles)], axis=1))


Strokes = list[Stroke]
u = np.random.Generator.uniform  # shorthand in the style table: u(rng, low, high)


# --- the styles: one line of doc each --------------------------------------------------------------


def zero(rng: np.random.Generator) -> Strokes:
    """0: an oval started at the top, closed with a little overlap."""
    start = u(rng, -120, -70)
    return [ellipse(0.3, 0.5, 0.3, 0.5, start, start + u(rng, 360, 390))]


def one_plain(rng: np.random.Generator) -> Strokes:
    """1: a single down-stroke (the MNIST stick)."""
    return [line((0.0, 0.0), (u(rng, -0.05, 0.05), 1.0))]


def one_flag(rng: np.random.Generator) -> Strokes:
    """1 with a flag: a steep up-stroke to the top (starts 30-50 % down), straight or bowed, then the stem."""
    flag_y = u(rng, 0.3, 0.5)
    flag_x = -flag_y * u(rng, 0.45, 0.85)  # steeper than 50 degrees: a flatter flag reads as a 7's bar
    if rng.random() < 0.5:
        return [line((flag_x, flag_y), (0.0, 0.0), (0.0, 1.0))]
    bow = u(rng, -0.06, 0.06)  # the flag sags (> 0) or bulges (< 0) a little
    middle = (flag_x / 2 + bow, flag_y / 2 + bow)
    return [curve((flag_x, flag_y), middle, (0.0, 0.0)), line((0.0, 0.0), (0.0, 1.0))]


def one_flag_foot(rng: np.random.Generator) -> Strokes:
    """1 with a flag and a foot: the flag-1 standing on a short base bar."""
    half = u(rng, 0.15, 0.28)
    return one_flag(rng) + [line((-half, 1.0), (half, 1.0))]


def two_plain(rng: np.random.Generator) -> Strokes:
    """2: a hook over the top, a diagonal down to the left, a flat base."""
    return [curve((0.03, 0.25), (0.25, 0.02), (0.5, 0.1), (0.52, 0.35), (0.3, 0.65), (0.0, 1.0)),
            line((0.0, 1.0), (u(rng, 0.55, 0.7), u(rng, 0.95, 1.02)))]


def two_loop(rng: np.random.Generator) -> Strokes:
    """2 with a loop: the diagonal runs past the base, curls up and back (a small loop), then the base."""
    k = u(rng, 1.4, 2.0)  # loop size
    loop = [(0.1 + k * dx, 0.9 + k * dy) for dx, dy in ((0.0, 0.08), (-0.1, 0.0), (-0.06, -0.1), (0.04, -0.08), (0.12, 0.03))]
    return [curve((0.03, 0.25), (0.25, 0.02), (0.5, 0.1), (0.52, 0.35), (0.38, 0.6), (0.18, 0.85), *loop,
                  (0.3, 0.98), (u(rng, 0.62, 0.75), 0.97))]


def three(rng: np.random.Generator) -> Strokes:
    """3: two bowls open to the left, meeting in the middle."""
    middle = u(rng, 0.42, 0.52)
    return [curve((0.03, 0.12), (0.25, 0.0), (0.48, 0.1), (0.45, middle - 0.15), (0.18, middle)),
            curve((0.18, middle), (0.5, middle + 0.1), (0.52, 0.85), (0.28, 1.0), (0.02, 0.88))]


def four_closed(rng: np.random.Generator) -> Strokes:
    """4, closed (printed form): a diagonal from the stem's top down-left, a crossbar, the stem."""
    bar = u(rng, 0.6, 0.72)
    return [line((0.45, 0.0), (0.0, bar), (0.65, bar)), line((0.45, 0.0), (0.45, 1.0))]


def four_open(rng: np.random.Generator) -> Strokes:
    """4 with an open top: a near-vertical left stroke and crossbar, and a separate stem on the right."""
    bar = u(rng, 0.5, 0.65)
    return [line((u(rng, 0.0, 0.1), 0.0), (0.0, bar), (0.7, bar)), line((0.48, u(rng, 0.0, 0.1)), (0.48, 1.0))]


def five(rng: np.random.Generator) -> Strokes:
    """5: a flag on top, a short down-stroke, and a round belly."""
    return [line((0.55, 0.0), (0.08, 0.0), (0.05, 0.45)),
            curve((0.05, 0.45), (0.3, 0.38), (0.52, 0.55), (0.5, 0.85), (0.25, 1.0), (0.0, 0.9))]


def six(rng: np.random.Generator) -> Strokes:
    """6: a long curve down from the top right, ending in a loop at the bottom."""
    return [curve((0.5, 0.0), (0.2, 0.25), (0.03, 0.62), (0.1, 0.92), (0.3, 1.0), (0.5, 0.88),
                  (0.5, 0.62), (0.3, 0.5), (0.08, 0.65))]


def seven_plain(rng: np.random.Generator) -> Strokes:
    """7: a top bar and a long diagonal."""
    return [line((0.0, u(rng, -0.03, 0.05)), (0.6, 0.0), (u(rng, 0.15, 0.3), 1.0))]


def seven_crossed(rng: np.random.Generator) -> Strokes:
    """7 crossed (European): the plain 7 with a short bar through the middle of the diagonal."""
    strokes = seven_plain(rng)
    top, bottom = strokes[0].points[1], strokes[0].points[2]
    centre = top + (bottom - top) * u(rng, 0.45, 0.55)
    half = u(rng, 0.15, 0.25)
    return strokes + [line((centre[0] - half, centre[1]), (centre[0] + half, centre[1] - 0.02))]


def seven_serif(rng: np.random.Generator) -> Strokes:
    """7 with a serif: a small down-tick at the left end of the top bar."""
    return [line((u(rng, -0.04, 0.02), u(rng, 0.18, 0.3)), (0.0, 0.0), (0.6, 0.0), (u(rng, 0.15, 0.3), 1.0))]


def eight(rng: np.random.Generator) -> Strokes:
    """8: a small loop on top of a larger one."""
    return [ellipse(0.3, 0.24, 0.24, 0.24, -90, 270), ellipse(0.3, 0.73, 0.3, 0.27, -90, 270)]


def nine_straight(rng: np.random.Generator) -> Strokes:
    """9 with a straight tail: a loop on top and a straight stem down from its right side."""
    return [ellipse(0.3, 0.27, 0.3, 0.27, 0, 360), line((0.6, 0.27), (u(rng, 0.5, 0.6), 1.0))]


def nine_curl(rng: np.random.Generator) -> Strokes:
    """9 with a curled tail: the stem bends back to the left at the bottom, a hook up to a half bowl."""
    curl = u(rng, 0.0, 1.0)  # 0: a short hook; 1: a round bowl that climbs back up on the left
    return [ellipse(0.3, 0.27, 0.3, 0.27, 0, 360),
            curve((0.6, 0.27), (0.6, 0.62), (0.48, 0.92), (0.25, 1.0), (0.04, 0.9 - 0.12 * curl),
                  (0.02 + 0.04 * curl, 0.85 - 0.15 * curl))]


STYLES: dict[str, tuple[int, Callable[[np.random.Generator], Strokes]]] = {
    "zero": (0, zero),
    "one_plain": (1, one_plain),
    "one_flag": (1, one_flag),
    "one_flag_foot": (1, one_flag_foot),
    "two_plain": (2, two_plain),
    "two_loop": (2, two_loop),
    "three": (3, three),
    "four_closed": (4, four_closed),
    "four_open": (4, four_open),
    "five": (5, five),
    "six": (6, six),
    "seven_plain": (7, seven_plain),
    "seven_crossed": (7, seven_crossed),
    "seven_serif": (7, seven_serif),
    "eight": (8, eight),
    "nine_straight": (9, nine_straight),
    "nine_curl": (9, nine_curl),
}
# The styles MNIST has few of: what the synthetic data is for.
RARE_STYLES = ("one_flag", "one_flag_foot", "seven_crossed", "seven_serif", "four_open", "nine_curl", "two_loop")


# --- rendering ------------------------------------------------------------------------------------


def draw_style(name: str, rng: np.random.Generator) -> np.ndarray:
    """One random drawing of a style as an ink map (CANVAS x CANVAS float32, 1 = ink)."""
    _, build = STYLES[name]
    strokes = build(rng)
    wobble = u(rng, *WOBBLE)
    aspect = u(rng, *ASPECT)
    shear = u(rng, *SHEAR)
    paths = _to_pixels([_transform(_jitter(stroke, rng, wobble), aspect, shear) for stroke in strokes])
    pen = max(1, int(round(u(rng, *PEN) * GLYPH_HEIGHT)))
    return _render(paths, pen)


def synth_digits(
    count: int, rng: np.random.Generator, styles: Sequence[str] | None = None, *, scan_prob: float = 0.0
) -> tuple[np.ndarray, np.ndarray]:
    """`count` random digits drawn from `styles` (all by default), as model inputs and int64 labels.

    Each digit's style is chosen uniformly from `styles`; with probability `scan_prob` the drawing
    also goes through `ml.scans.scan_variant` (stretched / binarised / low-resolution scans).
    """
    names = list(styles or STYLES)
    unknown = [name for name in names if name not in STYLES]
    if unknown:
        raise ValueError(f"unknown styles {unknown}; known: {sorted(STYLES)}")
    chosen = rng.integers(0, len(names), size=count)
    inputs = np.empty((count, 28, 28), dtype=np.float32)
    labels = np.empty(count, dtype=np.int64)
    for i, index in enumerate(chosen):
        ink = draw_style(names[index], rng)
        if scan_prob and rng.random() < scan_prob:
            ink = scan_variant(ink, rng)
        inputs[i] = to_model_input(ink)
        labels[i] = STYLES[names[index]][0]
    return inputs, labels


def _jitter(stroke: Stroke, rng: np.random.Generator, wobble: float) -> Stroke:
    return Stroke(stroke.kind, stroke.points + rng.normal(0.0, wobble, size=stroke.points.shape))


def _transform(stroke: Stroke, aspect: float, shear: float) -> np.ndarray:
    """Sample the stroke densely, widen it by `aspect` and lean it by `shear` (still glyph units)."""
    points = _sample(stroke)
    x = points[:, 0] * aspect + shear * (1.0 - points[:, 1])
    return np.stack([x, points[:, 1]], axis=1)


def _to_pixels(paths: list[np.ndarray]) -> list[np.ndarray]:
    """Glyph units → canvas pixels, the whole glyph centred on the canvas."""
    every = np.vstack(paths)
    centre = (every.min(axis=0) + every.max(axis=0)) / 2
    return [(path - centre) * GLYPH_HEIGHT + CANVAS / 2 for path in paths]


def _sample(stroke: Stroke) -> np.ndarray:
    """A dense polyline: the points themselves for a line, a Catmull-Rom spline through them for a curve."""
    points = stroke.points
    if stroke.kind == "line" or len(points) < 3:
        return points
    padded = np.vstack([2 * points[0] - points[1], points, 2 * points[-1] - points[-2]])
    t = np.linspace(0.0, 1.0, CURVE_SAMPLES, endpoint=False)[:, None]
    segments = []
    for p0, p1, p2, p3 in zip(padded[:-3], padded[1:-2], padded[2:-1], padded[3:]):
        segments.append(
            0.5 * ((2 * p1) + (-p0 + p2) * t + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2 + (-p0 + 3 * p1 - 3 * p2 + p3) * t**3)
        )
    return np.vstack(segments + [points[-1:]])


def _render(paths: list[np.ndarray], pen: int) -> np.ndarray:
    canvas = np.zeros((CANVAS, CANVAS), dtype=np.uint8)
    scale = 1 << SUBPIXEL_BITS
    polylines = [np.round(path * scale).astype(np.int32).reshape(-1, 1, 2) for path in paths]
    cv2.polylines(canvas, polylines, isClosed=False, color=255, thickness=pen, lineType=cv2.LINE_AA, shift=SUBPIXEL_BITS)
    return canvas.astype(np.float32) / 255.0
