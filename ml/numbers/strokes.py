"""From an ink map to the pen's strokes: a binary mask, its connected components and their sizes.

Scans carry faint printed patterns (ruled lines, grids, texture) under the pen; after `decode_ink`
scales the strongest ink to 1 they sit at 0.1-0.4 while the pen is near 1. Otsu's threshold on the
inked pixels separates the two; on clean canvases it falls on the anti-aliased edge, which is harmless.
Never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

FLOOR = 0.1  # weaker ink is background whatever the histogram says
THRESHOLD_RANGE = (0.25, 0.6)  # Otsu's cut is kept inside this range (of the strongest ink)
LINE_LENGTH = 1.5  # a straight horizontal run longer than this many digit heights is a line, not a digit
NOISE_AREA = 0.0015  # components with less of the total stroke area than this are noise


@dataclass(frozen=True)
class Component:
    label: int  # in the label map
    box: tuple[int, int, int, int]  # x, y, width, height
    area: int

    @property
    def right(self) -> int:
        return self.box[0] + self.box[2]


def stroke_mask(ink: np.ndarray) -> np.ndarray:
    """Boolean mask of the pen's strokes."""
    strongest = float(ink.max(initial=0.0))
    if strongest <= 0:
        return np.zeros(ink.shape, dtype=bool)
    levels = np.clip(ink / strongest * 255, 0, 255).astype(np.uint8)
    inked = levels[levels >= FLOOR * 255]
    otsu, _ = cv2.threshold(inked.reshape(1, -1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    threshold = float(np.clip(otsu / 255.0, *THRESHOLD_RANGE))
    return levels >= threshold * 255


def strokes(ink: np.ndarray) -> tuple[np.ndarray, list[Component]]:
    """The label map and components of the pen's strokes, with long horizontal lines (underlines, a
    form's rules) removed: straight runs longer than `LINE_LENGTH` digit heights. The mask is labelled
    again only when some component is that wide (labelling is the costliest step here)."""
    mask = stroke_mask(ink)
    labels, found = components(mask)
    if not found:
        return labels, found
    length = int(round(LINE_LENGTH * reference_height(found)))
    if length < 8 or all(c.box[2] < length for c in found):
        return labels, found
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (length, 1))
    lines = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel).astype(bool)
    return components(mask & ~lines) if lines.any() else (labels, found)


def components(mask: np.ndarray) -> tuple[np.ndarray, list[Component]]:
    """The label map and the components worth looking at (noise dropped), left to right."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return labels, []
    areas = stats[1:, cv2.CC_STAT_AREA]
    floor = max(3, NOISE_AREA * areas.sum())
    found = [
        Component(i, tuple(int(v) for v in stats[i, :4]), int(stats[i, cv2.CC_STAT_AREA]))
        for i in range(1, count)
        if stats[i, cv2.CC_STAT_AREA] >= floor
    ]
    return labels, sorted(found, key=lambda c: c.box[0])


def reference_height(found: list[Component]) -> float:
    """A digit's height here: the median height of the components at least half as tall as the tallest
    (separators, dots and broken bits are shorter and would drag a plain median down)."""
    heights = np.array([c.box[3] for c in found], dtype=float)
    return float(np.median(heights[heights >= 0.5 * heights.max()]))


def pen_width(mask: np.ndarray) -> float:
    """Typical stroke width in px: twice the mean distance from a stroke pixel to the background."""
    distance = cv2.distanceTransform(np.pad(mask.astype(np.uint8), 1), cv2.DIST_L2, 3)
    inside = distance[distance > 0]
    return float(2 * inside.mean()) if inside.size else 1.0
