"""Candidate cuts through a blob of touching digits: the columns where the least ink crosses.

Where two digits touch, the ink between them is thin: a local minimum of the column ink profile (the
count of stroke pixels in each column). We offer the deepest minima, no closer than `MIN_PIECE` digit
heights to each other or to the blob's ends, and let the search (scored by the digit model) choose
which of them are real; a cut offered too many costs a few model inputs, a cut missed costs the number.
Never imports TensorFlow.
"""
from __future__ import annotations

import numpy as np

MIN_PIECE = 0.12  # no cut closer than this share of a digit's height to another cut or an end
CUTS_PER_HEIGHT = 4  # at most this many cuts per digit height of blob width
DEEP = 0.6  # a minimum must hold at most this share of the blob's median column ink


def cut_columns(window: np.ndarray, height: float) -> list[int]:
    """Columns (0 = the window's left edge) to cut the boolean stroke window at, left to right."""
    width = window.shape[1]
    gap = max(2, int(round(MIN_PIECE * height)))
    if width < 2 * gap:
        return []
    profile = np.convolve(window.sum(axis=0).astype(float), np.ones(3) / 3, mode="same")
    inner = np.arange(gap, width - gap)
    ceiling = DEEP * float(np.median(profile[profile > 0])) if (profile > 0).any() else 0.0
    minima = [c for c in inner if profile[c] <= ceiling and _local_minimum(profile, c, gap // 2)]
    budget = max(1, int(np.ceil(width / height * CUTS_PER_HEIGHT)))
    chosen: list[int] = []
    for column in sorted(minima, key=lambda c: (profile[c], c)):
        if all(abs(column - other) >= gap for other in chosen):
            chosen.append(int(column))
        if len(chosen) >= budget:
            break
    return sorted(chosen)


def _local_minimum(profile: np.ndarray, column: int, reach: int) -> bool:
    low, high = max(0, column - reach), min(len(profile), column + reach + 1)
    return profile[column] <= profile[low:high].min()
