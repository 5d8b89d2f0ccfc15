"""Candidate cuts through a blob of touching digits: paths from top to bottom that cross the least ink.

Where two digits touch, the ink between them is thin. From every few columns we find the top-to-bottom
path (one column step at most per row, within `BAND` digit heights of its start) crossing the fewest
stroke pixels, and offer the cheapest, no closer than `MIN_PIECE` digit heights to each other or to
the blob's ends; so digits that lean into each other are parted along their contact rather than
sliced by a straight line (straight cuts at column-profile minima read 10-15 % of touching numbers
on our tuning set; see docs/numbers.md). The search (scored by the digit model) chooses which cuts are real; a cut offered too
many costs a few model inputs, a cut missed costs the number.
Never imports TensorFlow.
"""
from __future__ import annotations

import numpy as np

MIN_PIECE = 0.15  # no cut closer than this share of a digit's height to another cut or an end
CUTS_PER_HEIGHT = 3  # at most this many cuts per digit height of blob width
STRIDE = 0.05  # a path starts every this share of a digit's height
BAND = 0.3  # a cut path strays at most this share of a digit's height from its starting column
STEP_COST = 0.02  # per column moved sideways: among paths crossing as much ink, the straightest


def cut_paths(window: np.ndarray, height: float) -> list[tuple[np.ndarray, float]]:
    """Cut paths through the boolean stroke window: for each, the column per row (0 = the window's
    left edge) where the right part begins, and the stroke pixels it crosses; ordered left to right
    and never crossing each other.

    A path starts from every `STRIDE`-th column; the cheapest paths (fewest stroke pixels crossed) are
    kept, no two whose mean columns are closer than `MIN_PIECE` digit heights, at most
    `CUTS_PER_HEIGHT` per digit height of width."""
    rows, width = window.shape
    gap = max(2, int(round(MIN_PIECE * height)))
    if width < 2 * gap:
        return []
    band = max(2, int(round(BAND * height)))
    starts = np.arange(gap, width - gap, max(1, int(round(STRIDE * height))))
    paths, costs = _cheapest_paths(window, starts, band)
    budget = max(1, int(np.ceil(width / height * CUTS_PER_HEIGHT)))
    centres = paths.mean(axis=0)
    chosen: list[int] = []
    for index in np.argsort(costs, kind="stable"):
        centre = centres[index]
        if gap <= centre <= width - gap and all(abs(centre - centres[c]) >= gap for c in chosen):
            chosen.append(int(index))
        if len(chosen) >= budget:
            break
    chosen.sort(key=lambda index: centres[index])
    ordered = _uncrossed([paths[:, index] for index in chosen])
    return [(path, float(window[np.arange(rows), np.clip(path, 0, width - 1)].sum())) for path in ordered]


def paths_near(window: np.ndarray, starts: list[int], height: float) -> list[np.ndarray]:
    """For each start column (left to right), the path within `BAND` digit heights of it crossing the
    fewest stroke pixels; never crossing each other. For cuts placed where the line model read a
    boundary between two digits."""
    band = max(2, int(round(BAND * height)))
    paths, _ = _cheapest_paths(window, np.array(sorted(starts), dtype=np.int64), band)
    return _uncrossed(list(paths.T))


def _uncrossed(paths: list[np.ndarray]) -> list[np.ndarray]:
    """Paths ordered left to right, each pushed right of the one before where they would cross."""
    for i in range(1, len(paths)):
        paths[i] = np.maximum(paths[i], paths[i - 1])
    return paths


def _cheapest_paths(window: np.ndarray, starts: np.ndarray, band: int) -> tuple[np.ndarray, np.ndarray]:
    """For each start column, by dynamic programming over rows, the top-to-bottom path within `band`
    columns of it crossing the fewest stroke pixels (sideways steps cost `STEP_COST`): all starts at once.
    Of equally cheap moves, the leftmost is taken. Returns the paths' columns (rows, starts) and costs.

    Costs are laid out (row, column offset, start) so that each row is a few operations on contiguous
    memory (the cheapest of the three cells above, plus the cost of entering); the moves are found
    afterwards, along the chosen paths only."""
    rows, width = window.shape
    offsets = np.arange(-band, band + 1)
    columns = starts[None, :] + offsets[:, None]  # (offsets, starts)
    outside = (columns < 1) | (columns > width - 1)
    step = np.where(outside, np.inf, STEP_COST * np.abs(offsets)[:, None])  # outside the window: impassable
    ink = np.zeros((rows, width + 2 * band))
    ink[:, band : band + width] = window
    cost = np.full((rows, len(offsets) + 2, len(starts)), np.inf)  # impassable each side
    cost[:, 1:-1] = np.take(ink, columns + band, axis=1) + step  # the cost of entering each cell
    cheapest_above = np.empty((len(offsets), len(starts)))
    for row in range(1, rows):
        above = cost[row - 1]
        np.minimum(above[:-2], above[1:-1], out=cheapest_above)
        np.minimum(cheapest_above, above[2:], out=cheapest_above)
        cost[row, 1:-1] += cheapest_above
    flat = cost.reshape(rows, -1)
    every = np.arange(len(starts))
    end = cost[-1, 1:-1].argmin(axis=0)
    position = np.empty((rows, len(starts)), dtype=np.int64)
    position[-1] = end
    left_here_right = len(starts) * np.arange(3)[:, None] + every
    for row in range(rows - 1, 0, -1):  # the cell above each path came from: the leftmost of the cheapest
        above = np.take(flat[row - 1], left_here_right + len(starts) * position[row])
        position[row - 1] = position[row] + above.argmin(axis=0) - 1
    return np.take_along_axis(columns, position, axis=0), cost[-1, end + 1, every]
