"""Digits by other writers: the UCI optdigits-orig files (32x32 binary bitmaps, European-style digits).

Each digit is 32 lines of 32 `0`/`1` characters followed by a line holding its label (` 7`). `.tra`
and `.tes` start with a count line; `.windep` starts with UCI's 21-line header (`ntot = 1797`, ...).
We scan for bitmap blocks rather than trusting line offsets, and refuse anything that does not parse
cleanly (a truncated block, a garbled row, a count that does not match) with `WriterFormatError`.

The digits were scaled to *fill* their 32x32 box, so their aspect ratio is lost (a 1 is a fat bar):
see `ml.scans.unstretch` before mixing them with MNIST-style inputs.

`.tra` + `.tes` come from the same 30 writers and are for training; `.windep` holds 13 other writers
and is for validation only (it is our one measure of unseen writers).

Never imports TensorFlow.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import NamedTuple

import numpy as np

SIDE = 32  # optdigits-orig bitmaps are 32x32
INK = 255  # value of an ink pixel in the arrays we return
TRAIN_FILES = ("optdigits-orig.tra", "optdigits-orig.tes")  # 30 writers, training
UNSEEN_FILE = "optdigits-orig.windep"  # 13 other writers, validation only
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "writers" / "optdigits"
DIR_ENV = "WRITERS_DIR"

_ROW = re.compile(r"^[01]{%d}$" % SIDE)
_LABEL = re.compile(r"^\s*(\d)\s*$")
_COUNT_LINE = re.compile(r"^\s*(\d+)\s*$")  # .tra / .tes: the first line is the digit count
_COUNT_HEADER = re.compile(r"^\s*ntot\s*=\s*(\d+)\s*$")  # .windep header
END_MARKER = "EOF"  # .windep's last line


class WriterFormatError(ValueError):
    """An optdigits file is missing, truncated, garbled or holds a different number of digits than it says."""


class Digits(NamedTuple):
    """uint8 images (N, 32, 32) with 255 = ink, and int64 labels (N,). Unpacks as `images, labels`."""

    images: np.ndarray
    labels: np.ndarray


class WriterDigits(NamedTuple):
    train: Digits  # .tra + .tes: 2,880 digits by 30 writers
    unseen: Digits  # .windep: 1,797 digits by 13 other writers; never train on these


def load_optdigits(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """One optdigits-orig file → (uint8 (N, 32, 32), 255 = ink; int64 labels (N,))."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except FileNotFoundError:
        raise WriterFormatError(f"optdigits file not found: {path}") from None
    except (UnicodeDecodeError, OSError) as err:
        raise WriterFormatError(f"{path}: not a readable optdigits text file ({err})") from None
    images, labels, declared = _parse(lines, path)
    if not images:
        raise WriterFormatError(f"{path}: no 32x32 digit blocks found")
    if declared is not None and declared != len(images):
        raise WriterFormatError(f"{path}: the header says {declared} digits but the file holds {len(images)}")
    return np.stack(images).astype(np.uint8) * INK, np.array(labels, dtype=np.int64)


def load_writers(directory: str | Path | None = None) -> WriterDigits:
    """The training writers (.tra + .tes) and the unseen writers (.windep) from one directory.

    The directory defaults to `$WRITERS_DIR`, else ../shared/data/writers/optdigits next to the repo.
    """
    directory = Path(directory or os.environ.get(DIR_ENV) or DEFAULT_DIR)
    parts = [load_optdigits(directory / name) for name in TRAIN_FILES]
    train = Digits(np.concatenate([p[0] for p in parts]), np.concatenate([p[1] for p in parts]))
    return WriterDigits(train=train, unseen=Digits(*load_optdigits(directory / UNSEEN_FILE)))


def _parse(lines: list[str], path: Path) -> tuple[list[np.ndarray], list[int], int | None]:
    """Collect (bitmap, label) blocks and the declared count; text is allowed only before the first
    block (the header), and an `EOF` line ends the data."""
    images: list[np.ndarray] = []
    labels: list[int] = []
    rows: list[str] = []
    declared = None
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r")
        if line.strip() == END_MARKER and not rows:
            break
        if _ROW.match(line):
            rows.append(line)
            if len(rows) > SIDE:
                raise WriterFormatError(f"{path}:{number}: more than {SIDE} bitmap rows without a label line")
            continue
        label = _LABEL.match(line)
        if rows:
            if len(rows) != SIDE or label is None:
                raise WriterFormatError(
                    f"{path}:{number}: expected {SIDE} rows of {SIDE} '0'/'1' then a label line; "
                    f"got {len(rows)} rows then {line[:40]!r}"
                )
            images.append(np.frombuffer("".join(rows).encode("ascii"), dtype=np.uint8).reshape(SIDE, SIDE) == ord("1"))
            labels.append(int(label.group(1)))
            rows = []
        elif images and line.strip():
            raise WriterFormatError(f"{path}:{number}: unexpected line between digits: {line[:40]!r}")
        elif not images:
            declared = _declared_count(line, number, declared)
    if rows:
        raise WriterFormatError(f"{path}: truncated: the last digit has {len(rows)} of {SIDE} rows and no label")
    return images, labels, declared


def _declared_count(line: str, number: int, declared: int | None) -> int | None:
    """The digit count a header states: a bare number on line 1 (.tra/.tes) or `ntot = N` (.windep)."""
    match = _COUNT_HEADER.match(line) or (_COUNT_LINE.match(line) if number == 1 else None)
    return int(match.group(1)) if match else declared
