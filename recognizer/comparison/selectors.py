"""Read-only figures for the comparison page, taken from each version's stored Report.

Reports come in several layouts (`Report.from_dict` upgrades the old ones) and an old or imported version
may lack any figure, so every cell is read defensively: a missing or malformed figure is shown as "—",
never an error on the page.
"""
from dataclasses import dataclass

from django.utils.translation import gettext

from ml.report import HELD_OUT, MNIST_TEST, Report
from recognizer.models import ModelVersion
from recognizer.percent import FIGURE_DECIMALS, format_percent

MIN_VERSIONS, MAX_VERSIONS = 2, 6
MISSING = "\u2014"
BLOB_FIELDS = ("model_file", "keras_file")  # megabytes each; only the size is read, when needed


class ComparisonError(ValueError):
    """The request names too few, too many, or unknown versions; the message is shown to staff, in their language."""


def parse_ids(raw: str) -> list[int]:
    """`"3,5"` → [3, 5] in the order given, duplicates dropped; anything else is a ComparisonError."""
    ids: list[int] = []
    for part in (raw or "").split(","):
        part = part.strip()
        if not part.isdigit():
            raise ComparisonError(gettext("Not a version id: %(id)r.") % {"id": part} if part
                                  else gettext("No versions were selected."))
        if int(part) not in ids:
            ids.append(int(part))
    check_count(len(ids))
    return ids


def check_count(count: int) -> None:
    if not MIN_VERSIONS <= count <= MAX_VERSIONS:
        raise ComparisonError(
            gettext("Select %(min)d to %(max)d versions to compare (%(count)d selected).")
            % {"min": MIN_VERSIONS, "max": MAX_VERSIONS, "count": count}
        )


def versions_for(ids: list[int]) -> list[ModelVersion]:
    """The versions in the order asked; an id that names no version is a ComparisonError."""
    found = ModelVersion.objects.defer(*BLOB_FIELDS).in_bulk(ids)
    unknown = [str(pk) for pk in ids if pk not in found]
    if unknown:
        raise ComparisonError(gettext("No model version with id %(ids)s.") % {"ids": ", ".join(unknown)})
    return [found[pk] for pk in ids]


def report_of(version: ModelVersion) -> Report:
    """The version's report; an empty one when the stored metrics are too damaged to read at all."""
    try:
        return version.report
    except (AttributeError, TypeError, ValueError):  # not a dict, or schema 2 without its required keys
        return Report.from_dict({})


@dataclass(frozen=True)
class SetRow:
    """One validation set: per version, (accuracy, ECE, answered "not a digit"), formatted."""

    name: str
    nondigits: bool
    cells: list[tuple[str, str, str]]


def evaluation_rows(versions: list[ModelVersion]) -> list[SetRow]:
    """Every validation set any of the versions was measured on, digit sets first (see `set_order`)."""
    evaluations = [_dict(report_of(version).evaluations) for version in versions]
    names = sorted({name for figures in evaluations for name in figures}, key=set_order)
    rows = [
        SetRow(
            name,
            any(_dict(figures.get(name)).get("nondigits") for figures in evaluations),
            [_set_cells(_dict(figures.get(name))) for figures in evaluations],
        )
        for name in names
    ]
    return sorted(rows, key=lambda row: row.nondigits)


def set_order(name: str) -> tuple[int, str]:
    """MNIST test, then the held-out drawings, then by name: PostgreSQL's jsonb keeps no key order."""
    return ({MNIST_TEST: 0, HELD_OUT: 1}.get(name, 2), name)


def _set_cells(figures: dict) -> tuple[str, str, str]:
    return percent(figures.get("accuracy")), percent(figures.get("ece")), percent(figures.get("refused"))


def serving_rows(versions: list[ModelVersion]) -> list[tuple[str, list[str]]]:
    """Calibration and size figures: label → one formatted cell per version."""
    reports = [report_of(version) for version in versions]
    rates = [_dict(report.not_a_digit) for report in reports]
    return [
        (gettext("temperature"), [number(_dict(r.serving).get("temperature"), "{:.3f}") for r in reports]),
        (gettext("not-a-digit threshold"), [number(_dict(r.serving).get("digit_threshold"), "{:.6f}") for r in reports]),
        (gettext("refuses real digits (validation)"), [percent(rate.get("refused_digits")) for rate in rates]),
        (gettext("refuses non-digits (validation)"), [percent(rate.get("refused_nondigits")) for rate in rates]),
        (gettext("not-a-digit AUROC"), [number(rate.get("auroc"), "{:.4f}") for rate in rates]),
        (gettext("parameters"), [number(r.parameters or None, "{:,}") for r in reports]),
        (gettext(".tflite size (bytes)"), [number(file_size(version), "{:,}") for version in versions]),
    ]


def file_size(version: ModelVersion) -> int | None:
    """Bytes of the version's .tflite: the file on this server, else the copy kept in the database."""
    try:
        return version.artifact_path.stat().st_size
    except OSError:
        stored = ModelVersion.objects.filter(pk=version.pk).values_list("model_file", flat=True).first()
        return len(stored) if stored else None


@dataclass(frozen=True)
class Matrix:
    """A 10x10 confusion matrix as (count, shade 0-1 of its true-digit row) cells; None when not stored."""

    rows: list[list[tuple[int, float]]] | None


def confusion_rows(versions: list[ModelVersion]) -> list[tuple[str, list[Matrix]]]:
    """Per digit set that has a stored matrix in any version: one Matrix per version."""
    evaluations = [_dict(report_of(version).evaluations) for version in versions]
    names = sorted({
        name for figures in evaluations for name, set_figures in figures.items()
        if _valid_matrix(_dict(set_figures).get("confusion_matrix"))
    }, key=set_order)
    return [(name, [_matrix(_dict(figures.get(name)).get("confusion_matrix")) for figures in evaluations])
            for name in names]


def _matrix(raw) -> Matrix:
    if not _valid_matrix(raw):
        return Matrix(None)
    return Matrix([[(int(count), count / (sum(row) or 1)) for count in row] for row in raw])


def _valid_matrix(raw) -> bool:
    return (isinstance(raw, list) and len(raw) == 10 and all(
        isinstance(row, list) and len(row) == 10 and all(isinstance(v, (int, float)) and v >= 0 for v in row)
        for row in raw))


def percent(value) -> str:
    """A measured rate by the one rule (recognizer/percent.py), or "—" when it is missing or malformed."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return MISSING
    return format_percent(value, FIGURE_DECIMALS)


def number(value, fmt: str) -> str:
    """The figure formatted, or "—" when it is missing or not a number (an old or damaged report)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return MISSING
    return fmt.format(value)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}
