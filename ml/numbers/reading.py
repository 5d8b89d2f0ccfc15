"""A number read from one image: its digits with boxes, and the pieces that are not digits."""
from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ml.predictor import Prediction, Predictor
from ml.preprocess import MAX_PIXELS, DrawingError, decode_ink, to_model_input
from ml.numbers.lines import LINE_DIGITS, LineChar, LineReader, LineReading
from ml.numbers.search import best_grouping, spans
from ml.numbers.segmentation import MIN_SPLIT_WIDTH, Atom, Box, Pieces, by_centre, crop, pieces, split, split_near

MAX_DIGITS = 32
MAX_ATOMS_PER_DIGIT = 4  # more separate pieces than this per allowed digit is not a number
SURE = 0.9  # a unit read with less confidence or digit score than this is looked at for cuts
WIDE = 1.0  # a unit wider than this many digit heights is looked at for cuts
DOTTED_BITS = 5  # a piece of this many separate bits or more is a dotted or dashed stroke...
DOTTED_GAP = 0.25  # ...whose gaps up to this share of a digit's height are closed before reading it
SURE_REFUSED = 0.9  # the line model's reading of all the ink takes refused pieces back as digits when this sure
SURE_LINE = 0.99  # a unit the line model is this sure of is read as its digits, even if refused whole, and
                  # no other grouping of it is read (at 0.95 a circled cross reads "88")
OTHER_COUNT = 0.5  # a whole-line reading with another number of digits than the pieces wins at this share of
                   # their confidence: where the two counts differed on our tuning numbers, the line model's was
                   # right about three times as often (docs/numbers.md)


@dataclass(frozen=True)
class DigitReading:
    box: Box  # (x, y, width, height) in pixels of the decoded image, EXIF orientation applied
    x: np.ndarray  # the 28x28 model input the digit was read from
    prediction: Prediction


@dataclass(frozen=True)
class RejectedPiece:
    box: Box
    digit_score: float | None  # None when the model has no not-a-digit output


@dataclass(frozen=True)
class NumberReading:
    digits: tuple[DigitReading, ...]  # left to right
    rejected: tuple[RejectedPiece, ...]

    @property
    def number(self) -> str:
        return "".join(str(d.prediction.digit) for d in self.digits)

    @property
    def confidence(self) -> float:
        """Probability that the whole string is right: the product of the digits' confidences (0 when empty)."""
        if not self.digits:
            return 0.0
        return float(np.prod([d.prediction.confidence for d in self.digits]))


def read_number(
    data: bytes, predictor: Predictor, *, max_pixels: int = MAX_PIXELS, max_digits: int = MAX_DIGITS,
    lines: LineReader | None = None,
) -> NumberReading:
    """Bytes of an image file → its number. Raises DrawingError (a message for the user) for an
    unreadable image, an image without ink, or more than `max_digits` digits."""
    return read_ink(decode_ink(data, max_pixels=max_pixels), predictor, max_digits=max_digits, lines=lines)


def read_ink(ink: np.ndarray, predictor: Predictor, *, max_digits: int = MAX_DIGITS,
             lines: LineReader | None = None) -> NumberReading:
    """An ink map (as `decode_ink` returns it) → its number.

    First pass: every unit (connected strokes with their fragments) no wider than a digit and every run
    of close units is read in one batch by the digit model, and every unsure unit by the line model when
    there is one. Units the digit model does not read as one sure digit, wider than a digit, or read by
    the line model as several digits are cut into atoms and the new candidate runs read in a second
    batch. Where the line model read several digits, its digits are kept and the slices grouped under
    them (`_line_spans`); `search.best_grouping` picks the grouping of the other atoms into digits with
    the highest total value. Last, the line model reads all the digits' ink at once, and its reading wins
    where it is surer (`_whole_line`)."""
    found = pieces(ink)
    if not found.atoms and not found.marks:
        raise DrawingError("no ink found in the drawing")
    _check_count(found.atoms, max_digits)
    reader = _Reader(ink, found.labels, predictor, found.height, lines)
    reader.read([(mark,) for mark in found.marks] + _runs(list(found.atoms), found.height))
    several = _several(ink, found, reader) if lines is not None else {}
    atoms, unit_of, forced = _cut(found, reader, several)
    _check_count(atoms, max_digits)
    sure = {span: char for span, char in forced.items() if several[id(found.atoms[unit_of[span[0]]])].confidence >= SURE_LINE}
    candidates = _constrained(spans(atoms, found.height), sure)  # its other groupings are not read (speed)
    reader.read([tuple(atoms[a:b]) for a, b in candidates + list(forced)])
    choices = best_grouping(atoms, candidates, [reader.prediction(tuple(atoms[a:b])) for a, b in candidates], found.height)
    forced = _not_refused(forced, choices, unit_of, several, found)
    if forced:
        candidates = _constrained(candidates, forced)
    runs = [tuple(atoms[start:end]) for start, end in candidates]
    predictions = [_line_prediction(reader.prediction(run), forced.get(span)) for run, span in zip(runs, candidates)]
    if forced:
        choices = best_grouping(atoms, candidates, predictions, found.height)
    digits, rejected, digit_atoms = [], [], []
    for choice in choices:
        run = runs[choice.span]
        box, x, prediction = reader.box(run), reader.input(run), predictions[choice.span]
        if choice.is_digit or candidates[choice.span] in forced:  # the line model read a digit there
            digits.append(DigitReading(box, x, prediction))
            digit_atoms += run
        else:
            rejected.append(RejectedPiece(box, prediction.digit_score))
    if lines is not None and digit_atoms:
        digits, took_refused = _whole_line(ink, found, digit_atoms, atoms, digits, reader)
        if took_refused:
            rejected = []
    rejected += [RejectedPiece(mark.box, reader.prediction((mark,)).digit_score) for mark in found.marks]
    if len(digits) > max_digits:
        raise DrawingError(f"too many digits: {len(digits)} found, at most {max_digits} are read")
    return NumberReading(tuple(digits), tuple(sorted(rejected, key=lambda piece: piece.box[0])))


def _whole_line(ink: np.ndarray, found: Pieces, digit_atoms: list[Atom], atoms: list[Atom],
                digits: list[DigitReading], reader: "_Reader") -> tuple[list[DigitReading], bool]:
    """The digits as the line model reads their ink at once, or all the atoms' ink (pieces refused on
    their own included: two touching digits the digit model refuses as one piece), when it is surer of
    that reading than of the digits found piece by piece (product of confidences; at least
    `SURE_REFUSED` to take refused pieces back; `OTHER_COUNT` of it suffices for a reading with another
    number of digits) and its characters can be given runs of atoms; else `digits` unchanged. Also says
    whether the refused pieces became digits. Reading the line whole, the line model sees each digit's
    neighbours, as when it was trained."""
    options = [(digit_atoms, 0.0)] + ([(atoms, SURE_REFUSED)] if len(digit_atoms) < len(atoms) else [])
    readings = reader.read_lines([crop(ink, found.labels, run)[0] for run, _ in options])
    pieced = float(np.prod([d.prediction.confidence for d in digits]))
    for (run, least), whole in sorted(zip(options, readings), key=lambda option: -option[1].confidence):
        bar = pieced if len(whole.chars) == len(digits) else OTHER_COUNT * pieced
        if 0 < len(whole.chars) <= LINE_DIGITS and whole.confidence > max(least, bar):  # as long as it learnt
            read = _line_digits(found, list(run), whole, reader)
            if read:
                return read, run is atoms
    return digits, False


def _line_digits(found: Pieces, atoms: list[Atom], whole: LineReading, reader: "_Reader") -> list[DigitReading]:
    """The line model's characters as digits with boxes: each character gets the run of atoms nearest it
    (`_line_spans`), cutting every unit first and then near the boundaries the line model read, if a
    character has no atom; if one still has none, the atoms are shared out in order (`_aligned_spans`);
    empty when there are fewer atoms than characters."""
    atoms = by_centre(atoms)
    left = min(atom.box[0] for atom in atoms)
    spans = _line_spans(atoms, whole, left, offset=0)
    if not spans:  # a character inside a unit that was not cut: cut every unit and try again
        units = {id(unit) for unit in found.atoms}
        atoms = by_centre([part for atom in atoms for part in (split(found, atom) if id(atom) in units else [atom])])
        spans = _line_spans(atoms, whole, left, offset=0)
    if not spans:  # still a character without a slice: cut where the line model read the boundaries
        bounds = _boundaries(whole, left)
        atoms = by_centre([part for atom in atoms for part in split_near(found, atom, bounds)])
        spans = _line_spans(atoms, whole, left, offset=0) or _aligned_spans(atoms, whole, left)
    if not spans:
        return []
    runs = {span: tuple(atoms[span[0] : span[1]]) for span in spans}
    reader.read(list(runs.values()))
    return [DigitReading(reader.box(run), reader.input(run), _line_prediction(reader.prediction(run), spans[span]))
            for span, run in runs.items()]


def _cut(found: Pieces, reader: "_Reader", several: dict[int, LineReading]):
    """The units cut into atoms where needed (`_unsure`; the line model reads only such units, so every
    unit in `several` is cut): (atoms left to right, the unit index of each, and the spans of atoms forced
    to be the line model's digits). A unit the line model reads `SURE_LINE` sure is cut only near the
    boundaries between its digits (fewer atoms, far cheaper), unless that leaves a digit without a slice."""
    atoms, unit_of, forced = [], [], {}
    for unit, atom in enumerate(found.atoms):
        reading = several.get(id(atom))
        spans = {}
        if reading is not None and reading.confidence >= SURE_LINE:
            parts = split_near(found, atom, _boundaries(reading, atom.box[0]))
            spans = _line_spans(parts, reading, atom.box[0], offset=len(atoms))
        if not spans:
            parts = split(found, atom) if _unsure(atom, reader, found.height) else [atom]
            if reading is not None:
                spans = _line_spans(parts, reading, atom.box[0], offset=len(atoms))
        forced.update(spans)
        atoms += parts
        unit_of += [unit] * len(parts)
    return atoms, unit_of, forced


def _several(ink: np.ndarray, found: Pieces, reader: "_Reader") -> dict[int, LineReading]:
    """Units the line model reads as two digits or more, by id: touching digits. Only units that need
    cutting anyway (`_unsure`) are read: a 1 leaning on a 4 that the digit model reads as one sure 4 is
    left to the reading of the whole line (`_whole_line`), which found as many such on our tuning set at
    a fraction of the cost (docs/numbers.md). A unit of many separate bits
    (a dotted 0) is left to the digit model: the line model reads its dots as several digits; one too
    narrow to be cut (`segmentation.split`) is not read."""
    solid = [atom for atom in found.atoms if len(atom.labels) < DOTTED_BITS
             and atom.box[2] >= MIN_SPLIT_WIDTH * max(found.height, atom.box[3])
             and _unsure(atom, reader, found.height)]
    readings = reader.read_lines([crop(ink, found.labels, (atom,))[0] for atom in solid])
    return {id(atom): r for atom, r in zip(solid, readings) if len(r.chars) >= 2}


def _boundaries(reading: LineReading, left: int) -> list[float]:
    """The image columns halfway between the line model's consecutive characters (`left`: its crop's)."""
    centres = [left + char.centre for char in reading.chars]
    return [(a + b) / 2 for a, b in zip(centres, centres[1:])]


def _line_spans(parts: list[Atom], reading: LineReading, left: int, offset: int) -> dict[tuple[int, int], LineChar]:
    """The unit's slices grouped into the line model's characters: each slice joins the character whose
    reading position is nearest its centre. The groups are runs of consecutive slices that tile the unit,
    so the search always has a grouping; empty when that cannot be."""
    bounds = _boundaries(reading, left)
    groups = [sum(part.centre > bound for bound in bounds) for part in parts]
    if groups != sorted(groups) or sorted(set(groups)) != list(range(len(reading.chars))):
        return {}  # a character without a slice, or slices out of order: the search decides alone
    out = {}
    for index, char in enumerate(reading.chars):
        members = [i for i, g in enumerate(groups) if g == index]
        out[(offset + members[0], offset + members[-1] + 1)] = char
    return out


def _aligned_spans(parts: list[Atom], reading: LineReading, left: int) -> dict[tuple[int, int], LineChar]:
    """The slices (left to right) shared out in order into one run per character of the reading, each run
    as near its character as can be (`_shared_out`). For a character read at the very edge of its digit (a
    leading 1 that overlaps the next digit is often read at the ink's left edge), which nearest-position
    grouping (`_line_spans`) leaves without a slice. Empty when there are fewer slices than characters, or
    when the slices of a unit of many separate bits (a dotted 0, whose dots the line model reads as several
    digits) would go to several characters."""
    if len(parts) < len(reading.chars):
        return {}
    runs = _shared_out([part.centre for part in parts], [left + char.centre for char in reading.chars])
    runs_of_dotted_units = {}
    for run in runs:
        for part in parts[run[0] : run[1]]:
            if len(part.labels) >= DOTTED_BITS:
                runs_of_dotted_units.setdefault(part.labels, set()).add(run)
    if any(len(found_in) > 1 for found_in in runs_of_dotted_units.values()):
        return {}
    return dict(zip(runs, reading.chars))


def _shared_out(centres: list[float], targets: list[float]) -> list[tuple[int, int]]:
    """`centres` (ascending, at least as many as `targets`) split into one run per target, in order, with the
    least total distance from each centre to its run's target: (start, end) of each run, by dynamic programming."""
    count, runs = len(centres), len(targets)
    # distance[k, j]: the distance of the first j centres to target k, summed
    distance = np.zeros((runs, count + 1))
    distance[:, 1:] = np.cumsum(np.abs(np.asarray(centres)[None, :] - np.asarray(targets)[:, None]), axis=1)
    best = np.full((runs + 1, count + 1), np.inf)  # best[k, j]: the first j centres shared among k targets
    best[0, 0] = 0.0
    start = np.zeros((runs + 1, count + 1), dtype=int)
    for k in range(1, runs + 1):
        for j in range(k, count - (runs - k) + 1):
            costs = best[k - 1, k - 1 : j] + distance[k - 1, j] - distance[k - 1, k - 1 : j]
            start[k, j] = k - 1 + int(np.argmin(costs))
            best[k, j] = costs.min()
    bounds = [count]
    for k in range(runs, 0, -1):
        bounds.append(int(start[k, bounds[-1]]))
    bounds.reverse()
    return list(zip(bounds, bounds[1:]))


def _not_refused(forced: dict[tuple[int, int], LineChar], choices: list, unit_of: list[int],
                 several: dict[int, LineReading], found: Pieces) -> dict[tuple[int, int], LineChar]:
    """The forced spans of units that the digit model's own search did not refuse whole: the line model
    reads any ink as digits (a hash as "44", a star as "88"), so it only reads what is taken for digits."""
    refused = {i for choice in choices if not choice.is_digit for i in range(choice.start, choice.end)}
    whole_refused = {u for u in set(unit_of) if all(i in refused for i, v in enumerate(unit_of) if v == u)
                     and several.get(id(found.atoms[u]), LineReading(())).confidence < SURE_LINE}
    return {span: char for span, char in forced.items() if unit_of[span[0]] not in whole_refused}


def _constrained(candidates: list[tuple[int, int]], forced: dict[tuple[int, int], LineChar]) -> list[tuple[int, int]]:
    """Candidate spans with those that cut across a forced span dropped, and the forced spans added."""
    if not forced:
        return candidates
    covered = {i for a, b in forced for i in range(a, b)}
    kept = [span for span in candidates if span in forced or not covered & set(range(*span))]
    return kept + [span for span in forced if span not in kept]


def _line_prediction(prediction: Prediction, char: LineChar | None) -> Prediction:
    """A slice group's answer: the line model's digit and probabilities where it read the unit (the digit
    model misreads slices that carry a bit of their neighbour: docs/numbers.md), with the digit model's
    digit score and not-a-digit answer."""
    if char is None:
        return prediction
    return Prediction(char.digit, char.confidence, char.probabilities, prediction.digit_score, prediction.is_digit)


def _check_count(atoms: list[Atom] | tuple[Atom, ...], max_digits: int) -> None:
    """Refuse drawings of so many separate pieces that they cannot be a number of `max_digits` digits
    (and would cost thousands of model inputs)."""
    if len(atoms) > MAX_ATOMS_PER_DIGIT * max_digits:
        raise DrawingError(f"too many separate strokes: at most {max_digits} digits are read")


def _runs(atoms: list[Atom], height: float) -> list[tuple[Atom, ...]]:
    """The runs of units that may be one digit, but for a unit wider than a digit on its own: it is cut
    whatever the digit model reads (`_unsure`), so reading it whole would be wasted."""
    return [tuple(atoms[start:end]) for start, end in spans(atoms, height)
            if end - start > 1 or not _wide(atoms[start], height)]


def _unsure(atom: Atom, reader: "_Reader", height: float) -> bool:
    """Whether a unit needs cutting: wider than a digit, or not read as one sure digit (the digit model's
    reading is looked at only for a unit no wider than a digit)."""
    if _wide(atom, height):
        return True
    prediction = reader.prediction((atom,))
    return prediction.confidence < SURE or (prediction.digit_score is not None and prediction.digit_score < SURE)


def _wide(atom: Atom, height: float) -> bool:
    """Wider than a digit: than `WIDE` times the height of the number's digits or its own."""
    return atom.box[2] > WIDE * max(height, atom.box[3])


class _Reader:
    """Model inputs and predictions of runs of atoms: each run is read once, new runs in one batch. Also
    the line model's readings of crops, each distinct crop read once."""

    def __init__(self, ink: np.ndarray, labels: np.ndarray, predictor: Predictor, height: float,
                 lines: LineReader | None = None):
        self.ink, self.labels, self.predictor, self.lines = ink, labels, predictor, lines
        side = max(3, int(DOTTED_GAP * height) | 1)
        self._closing = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
        self._seen: dict[tuple[int, ...], tuple[Box, np.ndarray, Prediction]] = {}
        self._lines_seen: list[tuple[np.ndarray, LineReading]] = []

    def read_lines(self, crops: list[np.ndarray]) -> list[LineReading]:
        """The line model's readings of these crops. A crop already read is not read again: where the
        digits are all the slices of one unit (a number written in one touching stroke), the whole
        line's crop is that unit's crop."""
        new = [piece for piece in crops if self._line_seen(piece) is None]
        if new:
            self._lines_seen += zip(new, self.lines.read(new))
        return [self._line_seen(piece) for piece in crops]

    def _line_seen(self, piece: np.ndarray) -> LineReading | None:
        return next((reading for seen, reading in self._lines_seen if np.array_equal(seen, piece)), None)

    def read(self, runs: list[tuple[Atom, ...]]) -> None:
        new = {self._key(run): run for run in runs if self._key(run) not in self._seen}
        if not new:
            return
        crops = [crop(self.ink, self.labels, run) for run in new.values()]
        inputs = np.stack([to_model_input(self._joined(piece, run)) for (piece, _), run in zip(crops, new.values())])
        for key, (_, box), x, prediction in zip(new, crops, inputs, self.predictor.predict_batch(inputs)):
            self._seen[key] = (box, x, prediction)

    def _joined(self, piece: np.ndarray, run: tuple[Atom, ...]) -> np.ndarray:
        """A digit drawn in many separate bits (a dotted or dashed 0) with the gaps between its bits
        closed, as the eye closes them; other pieces as they are."""
        bits = set().union(*(atom.labels for atom in run))
        return cv2.morphologyEx(piece, cv2.MORPH_CLOSE, self._closing) if len(bits) >= DOTTED_BITS else piece

    def prediction(self, run: tuple[Atom, ...]) -> Prediction:
        return self._seen[self._key(run)][2]

    def box(self, run: tuple[Atom, ...]) -> Box:
        return self._seen[self._key(run)][0]

    def input(self, run: tuple[Atom, ...]) -> np.ndarray:
        return self._seen[self._key(run)][1]

    @staticmethod
    def _key(run: tuple[Atom, ...]) -> tuple[int, ...]:
        return tuple(id(atom) for atom in run)
