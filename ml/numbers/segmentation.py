"""Cut a number's ink into atoms (whole strokes or slices of touching ones) and marks, left to right.

1. Strokes: Otsu's mask of the ink, long horizontal lines (underlines) and noise dropped (`ml.numbers.strokes`).
2. Units: every tall component is a unit; short ones (a 5's top bar, the dots of a dotted 0, the second
   stroke of a 4) join the unit they overlap horizontally, or each other. Two tall components never
   join here: whether they are one digit (a 4 in two strokes) is for the model to say (`search`).
3. Marks: units much shorter than a digit (`.` `,` `-`, stray dots, underlines) are not digits.
4. Atoms: each unit is one atom; `split` cuts one that the model does not read as one sure digit
   along candidate paths (`ml.numbers.cuts`), and the search decides which consecutive atoms make
   one digit (`ml.numbers.search`, called by `ml.numbers.reading`). `split_near` cuts where the line
   model read the boundary between two digits.
Never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ml.numbers.cuts import MIN_PIECE, cut_paths, paths_near
from ml.numbers.strokes import Component, pen_width, reference_height, strokes

Box = tuple[int, int, int, int]  # x, y, width, height

SHORT = 0.5  # components shorter than this share of a digit's height are fragments
MARK = 0.42  # units shorter than this share of a digit's height are marks, not digits
NEAR = 0.15  # fragments closer than this share of a digit's height belong together
DOT = 0.25  # a lone fragment smaller than this share of a digit's height both ways is a dot
REACH = 0.2  # a fragment further than this share of a digit's height from a unit is not part of it
MAX_FRAGMENT_WIDTH = 1.3  # wider fragments (an underline) join nothing
MIN_SPLIT_WIDTH = 0.4  # units narrower than this share of a digit's height are never cut


@dataclass(frozen=True, eq=False)
class Atom:
    """Part of the strokes: the pixels of `labels` that lie, on each image row r, in columns
    [lo[r], hi[r]) (a whole unit has the same bounds on every row; a slice is bounded by cut paths)."""

    labels: frozenset[int]  # components of the label map it takes pixels from
    lo: np.ndarray  # (image rows,) first column of the atom on each row
    hi: np.ndarray  # (image rows,) one past its last column
    box: Box
    cut: float = 0.0  # stroke pixels crossed by the cut on its left, in pen widths (0: no cut)

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
    labels, found = strokes(ink)
    if not found:
        return Pieces(labels, (), (), 0.0)
    height = reference_height(found)
    atoms, marks = [], []
    for unit in _units(found, height):
        box = _union([c.box for c in unit])
        members = frozenset(c.label for c in unit)
        whole = _whole(labels.shape[0], members, box)
        (marks if box[3] < MARK * height else atoms).append(whole)
    return Pieces(labels, tuple(by_centre(atoms)), tuple(marks), height)


def by_centre(atoms: list[Atom]) -> list[Atom]:
    """Atoms left to right by their centres: the order of `Pieces.atoms`, and the order in which the
    reader groups atoms under the line model's characters. Touching or overlapping digits interleave
    their atoms: one digit's stroke can end right of where its neighbour's begins."""
    return sorted(atoms, key=lambda atom: atom.centre)


def split(found: Pieces, atom: Atom) -> list[Atom]:
    """A unit cut along its candidate paths (`ml.numbers.cuts`) into atoms, left to right; the unit
    itself when it is too narrow to hold two digits."""
    height = max(found.height, atom.box[3])  # a taller digit than most is cut at its own scale
    if atom.box[2] < MIN_SPLIT_WIDTH * height:
        return [atom]
    return _slices(found.labels, atom.labels, atom.box, height) or [atom]


def segment(ink: np.ndarray) -> list[Box]:
    """Boxes of the units that may be digits, left to right (before any cut): a quick look for callers
    that do not read the digits."""
    found = pieces(ink)
    return [a.box for a in found.atoms]


def crop(ink: np.ndarray, labels: np.ndarray, atoms: list[Atom] | tuple[Atom, ...]) -> tuple[np.ndarray, Box]:
    """The ink of these atoms alone (neighbours' strokes inside the box are blanked), and its box.
    Each atom is looked for inside its own box only, which holds all its pixels (a whole line's crop
    would otherwise compare every atom's labels over the whole line)."""
    box = _union([a.box for a in atoms])
    x, y, width, height = box
    keep = np.zeros((height, width), dtype=bool)
    for atom in atoms:
        ax, ay, aw, ah = atom.box
        columns = np.arange(ax, ax + aw)[None, :]
        lo, hi = atom.lo[ay : ay + ah, None], atom.hi[ay : ay + ah, None]
        inside = _member(labels[ay : ay + ah, ax : ax + aw], atom.labels) & (columns >= lo) & (columns < hi)
        keep[ay - y : ay - y + ah, ax - x : ax - x + aw] |= inside
    return np.where(keep, ink[y : y + height, x : x + width], 0.0).astype(np.float32), box


def _member(window: np.ndarray, labels: frozenset[int]) -> np.ndarray:
    """Where the label map holds one of `labels` (a plain comparison for the usual single label)."""
    if len(labels) == 1:
        return window == next(iter(labels))
    return np.isin(window, list(labels))


def _units(found: list[Component], height: float) -> list[list[Component]]:
    """Tall components alone; short ones first gathered with the short ones they nearly touch (the
    dots of a dotted 0), then each gathering joined to the unit it overlaps most (see module doc)."""
    units = [[c] for c in found if c.box[3] >= SHORT * height]
    clusters = _clusters([c for c in found if c.box[3] < SHORT * height], NEAR * height)
    for cluster in sorted(clusters, key=lambda members: _union([c.box for c in members])[0]):
        box = _union([c.box for c in cluster])
        best = None
        is_dot = max(box[2], box[3]) < DOT * height  # a full stop, a comma, a stray dot: never part of a digit
        if not is_dot and box[3] < SHORT * height and box[2] <= MAX_FRAGMENT_WIDTH * height:
            best = _most_overlapping(units, box, REACH * height)
        if best is None:
            units.append(list(cluster))
        else:
            best.extend(cluster)
    return units


def _clusters(fragments: list[Component], near: float) -> list[list[Component]]:
    """Fragments linked when their boxes are closer than `near` px (single linkage)."""
    clusters: list[list[Component]] = []
    for fragment in fragments:
        linked = [c for c in clusters if any(_distance(fragment.box, other.box) < near for other in c)]
        merged = [fragment] + [member for c in linked for member in c]
        clusters = [c for c in clusters if not any(c is l for l in linked)] + [merged]
    return clusters


def _most_overlapping(units: list[list[Component]], box: Box, reach: float) -> list[Component] | None:
    """The unit that `box` overlaps most horizontally (at least half the narrower's width), among
    those less than `reach` px away (a stray dot high above a digit is not part of it)."""
    best, best_overlap = None, 0
    for unit in units:
        unit_box = _union([c.box for c in unit])
        overlap = _overlap(unit_box, box)
        if _distance(unit_box, box) >= reach:
            continue
        if overlap >= 0.5 * min(unit_box[2], box[2]) and overlap > best_overlap:
            best, best_overlap = unit, overlap
    return best


def _distance(a: Box, b: Box) -> int:
    """The gap between two boxes (0 when they touch or overlap), the larger of across and down."""
    across = max(a[0], b[0]) - min(a[0] + a[2], b[0] + b[2])
    down = max(a[1], b[1]) - min(a[1] + a[3], b[1] + b[3])
    return max(0, across, down)


def split_near(found: Pieces, atom: Atom, columns: list[float]) -> list[Atom]:
    """An atom (a unit or a slice) cut near these image columns (`cuts.paths_near`), left to right;
    columns less than `cuts.MIN_PIECE` digit heights inside its box are ignored. For cuts where the line
    model read a boundary (`ml.numbers.reading`)."""
    x, y, width, h = atom.box
    height = max(found.height, h)
    starts = [int(c - x) for c in columns if MIN_PIECE * height <= c - x <= width - MIN_PIECE * height]
    if not starts:
        return [atom]
    grid = np.arange(x, x + width)[None, :]
    inside = (grid >= atom.lo[y : y + h, None]) & (grid < atom.hi[y : y + h, None])
    window = np.isin(found.labels[y : y + h, x : x + width], list(atom.labels)) & inside
    return _cut_along(window, atom, paths_near(window, starts, height)) or [atom]


def _whole(rows: int, members: frozenset[int], box: Box) -> Atom:
    return Atom(members, np.full(rows, box[0]), np.full(rows, box[0] + box[2]), box)


def _slices(labels: np.ndarray, members: frozenset[int], box: Box, height: float) -> list[Atom]:
    """A wide unit cut along its candidate paths into atoms, each with the box of its own ink."""
    x, y, width, h = box
    window = np.isin(labels[y : y + h, x : x + width], list(members))
    paths = cut_paths(window, height)
    pen = pen_width(window) if paths else 1.0
    return _cut_along(window, _whole(labels.shape[0], members, box), [path for path, _ in paths],
                      [ink / pen for _, ink in paths])


def _cut_along(window: np.ndarray, atom: Atom, paths: list[np.ndarray], crossed: list[float] | None = None) -> list[Atom]:
    """The atom's slices between consecutive paths (columns of its box, left to right), each with the box
    of its own ink and the ink its left cut crossed in pen widths (`crossed`, one per path). Neighbouring
    slices share their bound on every row (`search` joins such atoms)."""
    x, y, width, h = atom.box
    first, last = atom.lo[y : y + h] - x, atom.hi[y : y + h] - x
    bounds = [first, *(np.clip(path, first, last) for path in paths), last]
    costs = [0.0, *(crossed or [0.0] * len(paths))]
    atoms = []
    for left, right, cut in zip(bounds, bounds[1:], costs):
        start = min(max(int(left.min()), 0), width)  # the window's columns the slice can hold
        stop = max(min(int(right.max()), width), start)
        columns = np.arange(start, stop)[None, :]
        ys, xs = np.nonzero(window[:, start:stop] & (columns >= left[:, None]) & (columns < right[:, None]))
        xs = xs + start
        if ys.size:
            lo, hi = atom.hi.copy(), atom.hi.copy()  # rows outside the box: empty, the same in every slice
            lo[y : y + h], hi[y : y + h] = x + left, x + right
            inner = (x + int(xs.min()), y + int(ys.min()), int(xs.max() - xs.min() + 1), int(ys.max() - ys.min() + 1))
            atoms.append(Atom(atom.labels, lo, hi, inner, cut))
    return atoms


def _overlap(a: Box, b: Box) -> int:
    return min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])


def _union(boxes: list[Box]) -> Box:
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return (left, top, right - left, bottom - top)
