"""Compare a candidate model with the active one and decide whether it may replace it.

Both are measured the way the site serves them (LiteRT) on the same inputs: the MNIST test set and the
held-out confirmed drawings, which no candidate ever trains on.
"""
from __future__ import annotations

import hashlib
import math
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


def is_validation_slice(drawing_id, percent: int) -> bool:
    """Of the drawings not held out, those that choose the epoch and refit calibration instead of training;
    decided by a hash of the id salted differently from `is_held_out`, so the two splits are independent."""
    digest = hashlib.sha256(f"validation:{drawing_id}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < percent


def mcnemar_p_value(fixed: int, broken: int) -> float:
    """One-sided exact McNemar test: the chance of at least `fixed` wins among the `fixed + broken`
    drawings on which the two models disagree, if neither model were better (a fair coin per drawing)."""
    n = fixed + broken
    if n == 0:
        return 1.0
    return float(sum(math.comb(n, k) for k in range(fixed, n + 1)) / 2**n)


@dataclass(frozen=True)
class Gate:
    max_mnist_drop: float = 0.001  # the candidate may lose at most 0.1 points of MNIST test accuracy
    min_held_out: int = 50  # fewer held-out drawings than this cannot show that a candidate is better
    # One-sided exact McNemar: fixed > broken must be this unlikely by chance. 0.1 rather than 0.05 because a
    # good active model makes few mistakes on ~200 held-out drawings: 4 fixed and none broken gives p = 0.0625.
    significance: float = 0.1

    def decide(self, mnist: Comparison, held_out: Comparison) -> tuple[bool, str]:
        """(passes, why) for a candidate measured against the active model."""
        drop = mnist.active_accuracy - mnist.candidate_accuracy
        if drop > self.max_mnist_drop + 1e-12:
            return False, f"MNIST test accuracy drops {100 * drop:.2f} points (at most {100 * self.max_mnist_drop:.2f} allowed)"
        if held_out.count < self.min_held_out:
            return False, (f"only {held_out.count} held-out drawings; at least {self.min_held_out} are needed to "
                           "show a candidate is better: confirm more drawings")
        p = mcnemar_p_value(held_out.fixed, held_out.broken)
        gain = held_out.candidate_accuracy - held_out.active_accuracy
        figures = (f"held-out {100 * gain:+.2f} points ({held_out.fixed} fixed, {held_out.broken} broken, "
                   f"McNemar p = {p:.3g}), MNIST test {-100 * drop:+.2f} points")
        if held_out.fixed <= held_out.broken:
            return False, f"it fixes no more held-out drawings than it breaks: {figures}"
        if p > self.significance:
            return False, f"the held-out gain is not significant at {self.significance:g}: {figures}"
        return True, figures
