"""Turn the network's 11 raw scores into what we serve, honestly: calibrated digit probabilities and a
"how surely is this a digit" score, with a decision threshold chosen on validation drawings.

The network outputs logits for the ten digits plus a "not a digit" class. Served figures:
- `probabilities`: softmax of the ten digit logits divided by the temperature (so they sum to 1 and keep
  meaning "which digit, if it is one");
- `digit_score`: 1 - P(not a digit) from the softmax of all eleven logits at the same temperature.
The temperature is fitted on held-out drawings that are not MNIST's (temperature scaling, Guo et al. 2017);
the threshold is the `refuse_at_most` quantile of the digit scores of real validation digits, so at most that
share of real digits is answered "not a digit". Numpy only: web processes use it.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

DIGITS = 10
NOT_A_DIGIT = 10  # the class index of "not a digit" in training labels and logits
TEMPERATURES = np.exp(np.linspace(np.log(0.25), np.log(8.0), 121))  # the grid searched when fitting


@dataclass(frozen=True)
class Calibration:
    """How a version's raw model output becomes served figures (stored in its report's `serving`)."""

    output: str = "probabilities"  # what the .tflite returns: "probabilities" (10, older models) or "logits" (11)
    temperature: float = 1.0
    digit_threshold: float | None = None  # None: this model cannot say "not a digit"

    @classmethod
    def from_serving(cls, serving: dict | None) -> "Calibration":
        serving = serving or {}
        return cls(
            output=serving.get("output", "probabilities"),
            temperature=float(serving.get("temperature") or 1.0),
            digit_threshold=serving.get("digit_threshold"),
        )

    def to_dict(self) -> dict:
        return asdict(self)

    def apply(self, raw: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        """Raw model output (N, 10 or 11) → (digit probabilities (N, 10), digit scores (N,) or None)."""
        raw = np.asarray(raw, dtype=np.float64)
        if self.output != "logits":
            return raw.astype(np.float32), None
        scaled = raw / self.temperature
        digits = _softmax(scaled[:, :DIGITS])
        digit_scores = 1.0 - _softmax(scaled)[:, NOT_A_DIGIT] if raw.shape[1] > DIGITS else None
        return digits.astype(np.float32), digit_scores

    def is_digit(self, digit_scores: np.ndarray | None) -> np.ndarray | None:
        if digit_scores is None or self.digit_threshold is None:
            return None
        return np.asarray(digit_scores) >= self.digit_threshold


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the true digit (digits only)."""
    logits = np.asarray(logits, dtype=np.float64)[:, :DIGITS]
    labels = np.asarray(labels)

    def nll(t: float) -> float:
        scaled = logits / t
        scaled = scaled - scaled.max(axis=1, keepdims=True)
        log_probs = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
        return float(-log_probs[np.arange(len(labels)), labels].mean())

    return float(min(TEMPERATURES, key=nll))


def choose_threshold(digit_scores_of_real_digits: np.ndarray, refuse_at_most: float) -> float:
    """The highest threshold that refuses at most `refuse_at_most` of these real digits."""
    scores = np.sort(np.asarray(digit_scores_of_real_digits, dtype=np.float64))
    allowed = int(np.floor(refuse_at_most * len(scores)))  # this many may fall below the threshold
    return float(scores[allowed]) if allowed < len(scores) else float(scores[-1])
