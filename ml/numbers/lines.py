"""A line of ink (a number, or a blob of touching digits) as the line model's input, and its output read.

The line model (`ml.numbers.line_model`, trained on synthetic numbers) reads a whole line without
cutting it: a CNN gives one distribution over the ten digits and a blank for every 4 columns of its
input, and CTC's greedy decoding (collapse repeats, drop blanks) gives the string. Serving and training
both call `line_input`. Never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ml.predictor import SERVING_THREADS, Runner

HEIGHT, WIDTH = 24, 160  # the line model's input
INK_HEIGHT = 20  # the ink's box is scaled to this height (MNIST's digit box), centred vertically
MARGIN = 2  # blank columns left of the ink
STRIDE = 4  # input columns per output frame
BLANK = 10  # the output index of CTC's blank
LINE_DIGITS = 8  # the most digits of a training line (`ml.numbers.line_data`)


@dataclass(frozen=True)
class LineChar:
    digit: int
    probabilities: tuple[float, ...]  # the ten digits' share at the character's strongest frame
    confidence: float
    centre: float  # column in the line's ink box (its own pixels) where the character was read


@dataclass(frozen=True)
class LineReading:
    chars: tuple[LineChar, ...]

    @property
    def text(self) -> str:
        return "".join(str(c.digit) for c in self.chars)

    @property
    def confidence(self) -> float:
        return float(np.prod([c.confidence for c in self.chars])) if self.chars else 0.0


def line_input(ink: np.ndarray) -> tuple[np.ndarray, float]:
    """Ink (float, 1 = ink) → the (24, 160) input and the scale from the ink box's pixels to input columns.

    The ink's box is scaled to 20 px tall keeping its aspect ratio (squeezed sideways if it would
    not fit 160 columns)."""
    ink = np.asarray(ink, dtype=np.float32)
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    out = np.zeros((HEIGHT, WIDTH), dtype=np.float32)
    if rows.size == 0:
        return out, 1.0
    box = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = INK_HEIGHT / box.shape[0]
    width = int(np.clip(round(box.shape[1] * scale), 1, WIDTH - 2 * MARGIN))
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    small = np.clip(cv2.resize(box, (width, INK_HEIGHT), interpolation=interpolation), 0.0, 1.0)
    top = (HEIGHT - INK_HEIGHT) // 2
    out[top : top + INK_HEIGHT, MARGIN : MARGIN + width] = small / max(float(small.max()), 1e-6)
    return out, width / box.shape[1]


def decode(probabilities: np.ndarray, scale: float) -> LineReading:
    """One line's frame distributions (frames, 11) → its characters (greedy CTC decoding)."""
    best = probabilities.argmax(axis=1)
    chars, frame = [], 0
    while frame < len(best):
        end = frame
        while end + 1 < len(best) and best[end + 1] == best[frame]:
            end += 1
        if best[frame] != BLANK:
            peak = frame + int(probabilities[frame : end + 1, best[frame]].argmax())
            digits = probabilities[peak, :BLANK] / max(float(probabilities[peak, :BLANK].sum()), 1e-9)
            centre = ((peak + 0.5) * STRIDE - MARGIN) / scale
            chars.append(LineChar(int(best[frame]), tuple(float(v) for v in digits), float(digits.max()), centre))
        frame = end + 1
    return LineReading(tuple(chars))


class LineReader:
    """The line model's LiteRT export, read a batch of lines at a time. Thread-safe like `Predictor`."""

    def __init__(self, model_path, *, num_threads: int = SERVING_THREADS):
        self._runner = Runner(model_path, num_threads=num_threads)

    def read(self, inks: list[np.ndarray]) -> list[LineReading]:
        """Ink maps (float, 1 = ink), one line each → the line model's reading of each."""
        if not inks:
            return []
        prepared = [line_input(ink) for ink in inks]
        logits = self._runner.run(np.stack([x for x, _ in prepared])[..., None])
        probabilities = np.exp(logits - logits.max(axis=-1, keepdims=True))
        probabilities /= probabilities.sum(axis=-1, keepdims=True)
        return [decode(p, scale) for p, (_, scale) in zip(probabilities, prepared)]
