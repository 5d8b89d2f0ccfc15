"""Compare a candidate model with the active one and decide whether it may replace it.

Both are measured the way the site serves them (LiteRT) on the same inputs: the MNIST test set and the
held-out confirmed drawings, which no candidate ever trains on.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np


def is_held_out(drawing_id, percent: int) -> bool:
    """A drawing's side of the split depends on its id alone, so it never changes between runs."""
    digest = hashlib.sha256(str(drawing_id).encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


@dataclass(frozen=True)
class Comparison:
    """How two models do on one labelled set."""

    count: int
    active_accuracy: float | None
    candidate_accuracy: float | None
    fixed: int  # the active model got these wrong, the candidate gets them right
    broken: int  # the reverse


def compare(active: np.ndarray, candidate: np.ndarray, labels: np.ndarray) -> Comparison:
    """active, candidate: the digits each model predicted for the same labelled inputs."""
    if len(labels) == 0:
        return Comparison(0, None, None, 0, 0)
    active_right, candidate_right = active == labels, candidate == labels
    return Comparison(
        count=int(len(labels)),
        active_accuracy=float(active_right.mean()),
        candidate_accuracy=float(candidate_right.mean()),
        fixed=int((~active_right & candidate_right).sum()),
        broken=int((active_right & ~candidate_right).sum()),
    )


@dataclass(frozen=True)
class Gate:
    max_mnist_drop: float = 0.001  # the candidate may lose at most 0.1 points of MNIST test accuracy
    min_holdout_gain: float = 0.0  # ... and must be at least this much better on held-out drawings

    def decide(self, mnist: Comparison, held_out: Comparison) -> tuple[bool, str]:
        """(passes, why) for a candidate measured against the active model."""
        drop = mnist.active_accuracy - mnist.candidate_accuracy
        if drop > self.max_mnist_drop + 1e-12:
            return False, f"MNIST test accuracy drops {100 * drop:.2f} points (at most {100 * self.max_mnist_drop:.2f} allowed)"
        if held_out.count == 0:
            return False, "no held-out drawings to measure the candidate on"
        gain = held_out.candidate_accuracy - held_out.active_accuracy
        if gain < self.min_holdout_gain - 1e-12:
            return False, f"held-out drawings accuracy changes {100 * gain:+.2f} points (at least {100 * self.min_holdout_gain:+.2f} required)"
        return True, f"held-out {100 * gain:+.2f} points, MNIST test {-100 * drop:+.2f} points"
