"""Cut a number's ink into atoms (whole strokes or slices of touching ones) and marks, left to right.

1. Strokes: Otsu's mask of the ink, noise dropped (`ml.numbers.strokes`).
2. Units: every tall component is a unit; short ones (a 5's top bar, the dots of a dotted 0, the second
   stroke of a 4) join the unit they overlap horizontally, or each other. Two tall components never
   join here: whether they are one digit (a 4 in two strokes) is for the model to say (`search`).
3. Marks: units much shorter than a digit (`.` `,` `-`, stray dots, underlines) are not digits.
4. Atoms: a unit wider than a digit usually is is sliced at candidate cuts (`ml.numbers.cuts`);
   the search then decides which consecutive atoms make one digit.
Never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.numbers.cuts import cut_columns
from ml.numbers.strokes import Component, components, reference_height, stroke_mask

Box = tuple[int, int, int, int]  # x, y, width, height

SHORT = 0.5  # components shorter than this share of a digit's height are fragments
MARK = 0.42  # units shorter than this share of a digit's height are marks, not digits
MAX_FRAGMENT_WIDTH = 1.3  # wider fragments (an underline) join nothing
CUT_WIDTH = 0.75  # units wider than this share of a digit's height are looked at for cuts


@dataclass(frozen=True)
class Atom:
    labels: frozenset[int]  # components of the label map it takes pixels from
    x0: int  # its columns: [x0, x1)
    x1: int
    box: Box

    @property
    def centre(self) -> float:
        return self.box[0] + self.box[2] / 2


@dataclass(frozen=True)
class Pieces:
    labels: np.ndarray  # the component label map of the ink
    atoms: tuple[Atom, ...]  # parts of digits, left to right by centre
    marks: tuple[Atom, ...]  # pieces shaped unlike any digit
    height: float  # a digit's height in px here (0 when there is no ink)


def pieces(ink: np.ndarray) -> Pieces:
    """The atoms and marks of an ink map (float, 1 = ink)."""
    labels, found = components(stroke_mask(ink))
    if not found:
        return Pieces(labels, (), (), 0.0)
    height = reference_height(found)
    atoms, marks = [], []
    for unit in _units(found, height):
        box = _union([c.box for c in unit])
        members = frozenset(c.label for c in unit)
        if box[3] < MARK * height:
            marks.append(Atom(members, box[0], box[0] + box[2], box))
        elif box[2] > CUT_WIDTH * height:
            atoms += _slices(labels, members, box, height)
        else:
            atoms.append(Atom(members, box[0], box[0] + box[2], box))
    return Pieces(labels, tuple(sorted(atoms, key=lambda a: a.centre)), tuple(marks), height)


def segment(ink: np.ndarray) -> list[Box]:
    """Boxes of the units that may be digits, left to right (before any cut): a quick look for callers
    that do not read the digits."""
    found = pieces(ink)
    return [a.box for a in found.atoms]


def crop(ink: np.ndarray, labels: np.ndarray, atoms: list[Atom] | tuple[Atom, ...]) -> tuple[np.ndarray, Box]:
    """The ink of these atoms alone (neighbours' strokes inside the box are blanked), and its box."""
    box = _union([a.box for a in atoms])
    x, y, width, height = box
    window = labels[y : y + height, x : x + width]
    columns = np.arange(x, x + width)[None, :]
    keep = np.zeros(window.shape, dtype=bool)
    for atom in atoms:
        keep |= np.isin(window, list(atom.labels)) & (columns >= atom.x0) & (columns < atom.x1)
    return np.where(keep, ink[y : y + height, x : x + width], 0.0).astype(np.float32), box


def _units(found: list[Component], height: float) -> list[list[Component]]:
    """Tall components alone; each short one joined to the unit it overlaps most (see module doc)."""
    units = [[c] for c in found if c.box[3] >= SHORT * height]
    for fragment in sorted((c for c in found if c.box[3] < SHORT * height), key=lambda c: c.box[0]):
        best, best_overlap = None, 0.0
        if fragment.box[2] <= MAX_FRAGMENT_WIDTH * height:
            for unit in units:
                box = _union([c.box for c in unit])
                overlap = _overlap(box, fragment.box)
                if overlap >= 0.5 * min(box[2], fragment.box[2]) and overlap > best_overlap:
                    best, best_overlap = unit, overlap
        if best is None:
            units.append([fragment])
        else:
            best.append(fragment)
    return units


def _slices(labels: np.ndarray, members: frozenset[int], box: Box, height: float) -> list[Atom]:
    """A wide unit sliced at its candidate cuts into atoms, each with the box of its own ink."""
    x, y, width, h = box
    window = np.isin(labels[y : y + h, x : x + width], list(members))
    edges = [0, *cut_columns(window, height), width]
    atoms = []
    for start, end in zip(edges, edges[1:]):
        rows, cols = np.nonzero(window[:, start:end])
        if rows.size:
            inner = (x + start + int(cols.min()), y + int(rows.min()), int(cols.max() - cols.min() + 1),
                     int(rows.max() - rows.min() + 1))
            atoms.append(Atom(members, x + start, x + end, inner))
    return atoms


def _overlap(a: Box, b: Box) -> int:
    return min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])


def _union(boxes: list[Box]) -> Box:
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)
