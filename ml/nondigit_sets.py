"""Named validation sets of non-digits, to measure how often the model refuses what is not a digit.

Each function returns model inputs (N, 28, 28) float32, built the way the real input would arrive:
Omniglot drawings and canvas drawings go through `ml.preprocess.preprocess` as PNG bytes. None of
these images is ever used for training: Omniglot by held-out drawers, glyphs by held-out scripts,
synthetic sets by seeds no training code uses.

`python -m ml.nondigit_sets` prints each set's size and the shipped model's median top probability.
Never imports TensorFlow.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from ml import negatives
from ml.canvas import encode, to_image
from ml.negatives import Strokes, render_strokes
from ml.nondigits import OMNIGLOT_ZIP, load_omniglot
from ml.preprocess import DrawingError, preprocess

UNSEEN_GLYPHS_SEED = 7_001  # seeds reserved for validation: training code must use others
DOODLES_SEED = 7_002
UNSEEN_GLYPHS_COUNT = 600
DOODLES_COUNT = 1_000
CANVAS_SIZE = 280  # the site's canvas
CANVAS_BRUSH = CANVAS_SIZE / 13  # the site's brush (static/recognizer/canvas.js: 1/13 of the side)


def omniglot_validation(zip_path: str | Path = OMNIGLOT_ZIP) -> np.ndarray:
    """Latin and Greek letters drawn by people, drawers 16-20 only, digit-like letters excluded."""
    return load_omniglot(zip_path).validation().inputs


def unseen_script_glyphs(count: int = UNSEEN_GLYPHS_COUNT, seed: int = UNSEEN_GLYPHS_SEED) -> np.ndarray:
    """Hand-drawn-like letters of scripts held out of training (negatives.GLYPH_VALIDATION_SCRIPTS)."""
    rng = np.random.default_rng(seed)
    return negatives.glyph_negatives(count, rng, scripts=negatives.GLYPH_VALIDATION_SCRIPTS)


def doodles_validation(count: int = DOODLES_COUNT, seed: int = DOODLES_SEED) -> np.ndarray:
    """Synthetic browser doodles sent as canvas PNGs, with a seed of their own."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < count:
        try:
            x = _canvas_input(negatives.doodle_ink(rng, CANVAS_SIZE))
        except DrawingError:
            continue
        if negatives.is_acceptable_negative(x):
            out.append(x)
    return np.stack(out)


# --- clicks, letters A, smileys: a small named set drawn on the site's canvas ----------------------


def _circle(cx: float, cy: float, r: float, start: float = 0.0, end: float = 2 * np.pi) -> np.ndarray:
    t = np.linspace(start, end, 64)
    return np.stack([cx + r * np.cos(t), cy + r * np.sin(t)], axis=1)


def _line(*points: tuple[float, float]) -> np.ndarray:
    return np.array(points, dtype=np.float64)


def _dot(x: float, y: float) -> np.ndarray:
    return _line((x, y))


SMILEY = [_circle(0.5, 0.5, 0.3), _dot(0.4, 0.42), _dot(0.6, 0.42), _circle(0.5, 0.5, 0.17, 0.2 * np.pi, 0.8 * np.pi)]
SAD_FACE = [_circle(0.5, 0.5, 0.3), _dot(0.4, 0.42), _dot(0.6, 0.42), _circle(0.5, 0.72, 0.15, 1.2 * np.pi, 1.8 * np.pi)]

# name → strokes in unit coordinates of the 280x280 canvas (brush CANVAS_BRUSH unless stated)
CANVAS_DRAWINGS: dict[str, Strokes] = {
    "click centre": [_dot(0.5, 0.5)],
    "click corner": [_dot(0.12, 0.85)],
    "click with a tiny drag": [_line((0.5, 0.5), (0.52, 0.51))],
    "two dots": [_dot(0.3, 0.5), _dot(0.7, 0.5)],
    "three dots": [_dot(0.2, 0.3), _dot(0.5, 0.7), _dot(0.8, 0.4)],
    "five dots": [_dot(0.2, 0.2), _dot(0.8, 0.2), _dot(0.5, 0.5), _dot(0.2, 0.8), _dot(0.8, 0.8)],
    "dots in a row": [_dot(x, 0.5) for x in (0.2, 0.4, 0.6, 0.8)],
    "letter A": [_line((0.25, 0.85), (0.5, 0.15), (0.75, 0.85)), _line((0.35, 0.58), (0.65, 0.58))],
    "letter A, narrow": [_line((0.38, 0.85), (0.5, 0.15), (0.62, 0.85)), _line((0.43, 0.6), (0.57, 0.6))],
    "letter A, one stroke": [_line((0.25, 0.85), (0.5, 0.15), (0.75, 0.85), (0.6, 0.55), (0.38, 0.55))],
    "letter H": [_line((0.3, 0.15), (0.3, 0.85)), _line((0.7, 0.15), (0.7, 0.85)), _line((0.3, 0.5), (0.7, 0.5))],
    "letter K": [_line((0.32, 0.15), (0.32, 0.85)), _line((0.72, 0.15), (0.33, 0.52), (0.74, 0.85))],
    "letter M": [_line((0.2, 0.85), (0.25, 0.15), (0.5, 0.6), (0.75, 0.15), (0.8, 0.85))],
    "letter W": [_line((0.15, 0.2), (0.32, 0.8), (0.5, 0.35), (0.68, 0.8), (0.85, 0.2))],
    "letter X": [_line((0.25, 0.15), (0.75, 0.85)), _line((0.75, 0.15), (0.25, 0.85))],
    "letter E": [_line((0.7, 0.15), (0.32, 0.15), (0.32, 0.85), (0.7, 0.85)), _line((0.32, 0.5), (0.62, 0.5))],
    "letter R": [_line((0.32, 0.85), (0.32, 0.15), (0.6, 0.15)), _circle(0.6, 0.32, 0.17, -0.5 * np.pi, 0.5 * np.pi), _line((0.6, 0.49), (0.32, 0.49), (0.72, 0.85))],
    "smiley": SMILEY,
    "smiley, thick brush": SMILEY,
    "sad face": SAD_FACE,
    "heart": [_line((0.5, 0.8), (0.22, 0.45)), _circle(0.35, 0.38, 0.15, 0.8 * np.pi, 2 * np.pi), _circle(0.65, 0.38, 0.15, np.pi, 2.2 * np.pi), _line((0.78, 0.45), (0.5, 0.8))],
    "star": [_line(*[(0.5 + 0.38 * np.cos(a), 0.52 + 0.38 * np.sin(a)) for a in -np.pi / 2 + np.arange(6) * 4 * np.pi / 5])],
    "plus": [_line((0.5, 0.15), (0.5, 0.85)), _line((0.15, 0.5), (0.85, 0.5))],
    "check mark": [_line((0.2, 0.55), (0.4, 0.78), (0.82, 0.2))],
    "house": [_line((0.25, 0.45), (0.25, 0.85), (0.75, 0.85), (0.75, 0.45)), _line((0.18, 0.5), (0.5, 0.18), (0.82, 0.5))],
    "scribble": [_line(*[(0.2 + 0.6 * ((i % 2) ^ (i // 2 % 2)), 0.2 + 0.06 * i) for i in range(11)])],
}
THICK_BRUSH = {"smiley, thick brush": 2.0}  # brush multiplier for drawings made with a wider brush


def clicks_and_smileys_named() -> dict[str, np.ndarray]:
    """Each drawing of CANVAS_DRAWINGS as the site would receive it (canvas PNG → preprocess)."""
    drawn = {}
    for name, strokes in CANVAS_DRAWINGS.items():
        width = CANVAS_BRUSH * THICK_BRUSH.get(name, 1.0)
        drawn[name] = _canvas_input(render_strokes(strokes, width, CANVAS_SIZE))
    return drawn


def clicks_and_smileys() -> np.ndarray:
    """A single click/dot, a few dots, letters (A, H, K, ...), smileys, simple shapes: the named set stacked."""
    return np.stack(list(clicks_and_smileys_named().values()))


def _canvas_input(ink: np.ndarray) -> np.ndarray:
    """An ink map sent the way the site's canvas sends it: black on white PNG, then the serving pipeline."""
    return preprocess(encode(to_image(ink, "black-on-white")))


VALIDATION_SETS: dict[str, Callable[[], np.ndarray]] = {
    "omniglot_validation": omniglot_validation,
    "unseen_script_glyphs": unseen_script_glyphs,
    "doodles_validation": doodles_validation,
    "clicks_and_smileys": clicks_and_smileys,
}


def main() -> None:
    """Print, for the shipped model, how sure it is of a digit on each set (and on real digits)."""
    from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL
    from ml.data import load_split, resolve_mnist_dir
    from ml.predictor import ALL_CORES, Predictor
    from ml.preprocess import to_model_input

    predictor = Predictor(SHIPPED_DIR / TFLITE_MODEL, num_threads=ALL_CORES)

    def report(name: str, xs: np.ndarray) -> None:
        top = predictor.probabilities(xs).max(axis=1)
        print(f"{name:28s} n={len(top):5d}  median max-probability {np.median(top):.3f}  "
              f"share >= 0.9: {np.mean(top >= 0.9):6.1%}  share >= 0.99: {np.mean(top >= 0.99):6.1%}")

    for name, make in VALIDATION_SETS.items():
        report(name, make())
    mnist_dir = resolve_mnist_dir()
    if mnist_dir is not None:
        test_images, _ = load_split(mnist_dir, "test")
        report("MNIST test (real digits)", np.stack([to_model_input(image) for image in test_images]))
    for name, x in clicks_and_smileys_named().items():
        probabilities = predictor.probabilities(x[None])[0]
        print(f"  {name:24s} reads as {probabilities.argmax()} with {probabilities.max():.3f}")


if __name__ == "__main__":
    main()
