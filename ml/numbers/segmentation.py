"""Cut an ink map into pieces that each hold one character, left to right."""
from __future__ import annotations

import cv2
import numpy as np

Box = tuple[int, int, int, int]  # x, y, width, height

NOISE_FLOOR = 0.1  # weaker ink (of the strongest) is background
MIN_PIECE_SHARE = 0.01  # components with less of the total ink than this are specks


def segment(ink: np.ndarray) -> list[Box]:
    """Boxes of the pieces, left to right: connected strokes, merged where they overlap horizontally
    (a 5's separate top bar, a 4 in two strokes)."""
    mask = (ink >= NOISE_FLOOR * float(ink.max(initial=0.0))) & (ink > 0)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
    if count <= 1:
        return []
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = areas >= MIN_PIECE_SHARE * areas.sum()
    boxes = [tuple(int(v) for v in stats[1 + i, :4]) for i in np.flatnonzero(keep)]
    return _merge_overlapping(sorted(boxes))


def _merge_overlapping(boxes: list[Box]) -> list[Box]:
    merged: list[Box] = []
    for box in boxes:
        if merged and _overlap(merged[-1], box) >= 0.5 * min(merged[-1][2], box[2]):
            merged[-1] = _union(merged[-1], box)
        else:
            merged.append(box)
    return merged


def _overlap(a: Box, b: Box) -> int:
    return min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])


def _union(a: Box, b: Box) -> Box:
    left, top = min(a[0], b[0]), min(a[1], b[1])
    right, bottom = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (left, top, right - left, bottom - top)
