"""Serve an exported `.tflite` model with LiteRT.

Web processes import this module and never TensorFlow: LiteRT loads in ~0.1 s and ~35 MB where
TensorFlow costs seconds and hundreds of MB per process.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from ml.calibration import Calibration

MAX_CHUNK = 500  # images per interpreter call: activations for 500 digits take ~50 MB
ALL_CORES = os.cpu_count() or 1  # threads for measuring whole sets (train, retrain, exports: ~1.8x on 2 cores)
# A web worker serves with two (DIGITS_INFERENCE_THREADS): one digit costs the same, but the 8-10 inputs of a
# number are read ~2x faster while the machine has a core to spare (docs/operations.md for the cost when it has not).
SERVING_THREADS = min(2, ALL_CORES)


@dataclass(frozen=True)
class Prediction:
    digit: int  # the most likely digit, even when the drawing does not look like one
    confidence: float  # its calibrated probability
    probabilities: tuple[float, ...]  # all ten, summing to 1
    digit_score: float | None = None  # 0-1, higher = more surely a digit; None for models without that output
    is_digit: bool | None = None  # digit_score >= the version's threshold


class Predictor:
    """One loaded model. Safe to share between threads: an interpreter is used by one call at a time."""

    def __init__(self, model_path: str | Path, *, calibration: Calibration | None = None,
                 num_threads: int = SERVING_THREADS):
        self.model_path = Path(model_path)
        self.calibration = calibration or Calibration()
        if not self.model_path.is_file():
            raise FileNotFoundError(f"model file not found: {self.model_path}")
        self._runner = Runner(self.model_path, num_threads=num_threads)

    def predict(self, x: np.ndarray) -> Prediction:
        """x: one model input, (28, 28) float in [0, 1]."""
        return self.predict_batch(np.asarray(x)[None])[0]

    def predict_batch(self, xs: np.ndarray) -> list[Prediction]:
        """xs: (N, 28, 28) model inputs → one Prediction each, in order."""
        probabilities, digit_scores = self.outputs(xs)
        is_digit = self.calibration.is_digit(digit_scores)
        return [
            Prediction(
                int(p.argmax()),
                float(p.max()),
                tuple(float(v) for v in p),
                None if digit_scores is None else float(digit_scores[i]),
                None if is_digit is None else bool(is_digit[i]),
            )
            for i, p in enumerate(probabilities)
        ]

    def probabilities(self, xs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) → (N, 10) calibrated digit probabilities."""
        return self.outputs(xs)[0]

    def outputs(self, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """(N, 28, 28) → (digit probabilities (N, 10), digit scores (N,) or None), calibrated."""
        return self.calibration.apply(self.raw(xs))

    def raw(self, xs: np.ndarray) -> np.ndarray:
        """(N, 28, 28) → the model's own output (N, 10 or 11), any N (run in chunks to bound memory)."""
        xs = np.asarray(xs, dtype=np.float32).reshape(-1, 28, 28, 1)
        if len(xs) == 0:
            return np.zeros((0, self.output_size), dtype=np.float32)
        return np.concatenate([self._invoke(xs[i : i + MAX_CHUNK]) for i in range(0, len(xs), MAX_CHUNK)])

    @property
    def output_size(self) -> int:
        """10 (digits) or 11 (digits and "not a digit")."""
        return self._runner.output_size

    def _invoke(self, xs: np.ndarray) -> np.ndarray:
        return self._runner.run(xs)


class Runner:
    """A LiteRT interpreter run on a batch of any size, one call at a time (safe to share between threads)."""

    def __init__(self, model_path: str | Path, *, num_threads: int = SERVING_THREADS):
        self._interpreter = Interpreter(model_path=str(model_path), num_threads=num_threads)
        self._input = self._interpreter.get_input_details()[0]["index"]
        self._output = self._interpreter.get_output_details()[0]["index"]
        self._batch_size = 0
        self._lock = threading.Lock()

    @property
    def output_size(self) -> int:
        return int(self._interpreter.get_output_details()[0]["shape"][-1])

    def run(self, xs: np.ndarray) -> np.ndarray:
        """The model's output for the batch `xs` (float32, the input's shape with any batch size)."""
        with self._lock:
            if self._batch_size != len(xs):
                self._interpreter.resize_tensor_input(self._input, xs.shape)
                self._interpreter.allocate_tensors()
                self._batch_size = len(xs)
            self._interpreter.set_tensor(self._input, xs)
            self._interpreter.invoke()
            return self._interpreter.get_tensor(self._output).copy()
