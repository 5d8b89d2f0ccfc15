"""Dataset archives → checked examples (original image bytes, model input, label). No database here.

Formats (all are zip files underneath, which is how `auto` tells them apart):

* ``zip``: images (PNG, JPEG, WebP, GIF, BMP) and a ``labels.csv`` with the header ``file,label``; ``file`` is
  the image's path inside the archive, relative to the folder of labels.csv; ``label`` is a digit 0-9 or
  ``x`` for "not a digit". Files labels.csv does not list are ignored (and counted). Each image goes through
  `ml.preprocess.preprocess` with the API's limits, exactly like an uploaded drawing.
* ``idx``: a zip holding two IDX files (optionally gzipped), images (magic 0x803, N x 28 x 28) and labels
  (magic 0x801, 0-9), read by `ml.data`'s readers. IDX, like MNIST, holds digits only.
* ``npz``: NumPy's ``np.savez`` with ``x`` (N, 28, 28) uint8 0-255 or float 0-1 (white ink on black, as
  MNIST) and ``y`` (N,) integers 0-9, or **10 for "not a digit"** (the label training uses for it).

Any problem raises DatasetError naming the file or row; one bad image refuses the whole archive.
"""
from __future__ import annotations

import csv
import io
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import numpy as np

from ml.data import IMAGES_MAGIC, LABELS_MAGIC, MnistFormatError, load_idx_images, load_idx_labels
from ml.preprocess import DrawingError, input_to_png, preprocess, to_model_input
from recognizer.datasets.archive import (
    DatasetError, check_name, checked_members, gunzip_bounded, open_zip, read_member,
)
from recognizer.datasets.limits import Limits

NOT_A_DIGIT = 10  # as ml.calibration.NOT_A_DIGIT, the label training gives non-digits
FORMATS = ("auto", "zip", "idx", "npz")
LABELS_FILE = "labels.csv"
HEADER = ["file", "label"]


@dataclass(frozen=True)
class Example:
    image: bytes  # the file as found (for IDX and npz: a PNG of the 28x28 image)
    x: np.ndarray  # (28, 28) float32 model input
    label: int  # 0-9, or NOT_A_DIGIT


@dataclass(frozen=True)
class Dataset:
    examples: list[Example]
    format: str
    ignored: int = 0  # archive files not listed in labels.csv


def read_dataset(file, fmt: str = "auto", limits: Limits | None = None) -> Dataset:
    """Reads a whole archive (a path or a binary file object) or raises DatasetError."""
    limits = limits or Limits.from_settings()
    if fmt not in FORMATS:
        raise DatasetError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    with open_zip(file) as archive:
        members = checked_members(archive, limits)
        fmt = detect_format(members) if fmt == "auto" else fmt
        reader = {"zip": _read_zip_csv, "idx": _read_idx, "npz": _read_npz}[fmt]
        dataset = reader(archive, members, limits)
    if not dataset.examples:
        raise DatasetError("the archive holds no examples")
    return dataset


def detect_format(members: list[zipfile.ZipInfo]) -> str:
    names = [PurePosixPath(info.filename) for info in members]
    if any(name.name == LABELS_FILE for name in names):
        return "zip"
    if names and all(name.suffix == ".npy" for name in names):
        return "npz"
    if len(names) == 2 and all("idx" in name.name for name in names):
        return "idx"
    raise DatasetError(
        "cannot tell the format: expected a labels.csv (zip of images), x.npy and y.npy (npz), "
        "or two IDX files (idx)"
    )


# --- zip of images + labels.csv ------------------------------------------------------------------


def _read_zip_csv(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> Dataset:
    by_name = {info.filename: info for info in members}
    labels_info = _labels_member(members)
    folder = PurePosixPath(labels_info.filename).parent
    rows = parse_labels(read_member(archive, labels_info, limits.max_labels_bytes))
    examples = []
    for row, (name, label) in rows:
        path = str(folder / name) if str(folder) != "." else name
        info = by_name.get(path)
        if info is None:
            raise DatasetError(f"labels.csv row {row}: {name} is not in the archive")
        examples.append(_image_example(read_member(archive, info, limits.max_image_bytes), label, name, limits))
    return Dataset(examples, "zip", ignored=len(members) - 1 - len(examples))


def _labels_member(members: list[zipfile.ZipInfo]) -> zipfile.ZipInfo:
    found = [info for info in members if PurePosixPath(info.filename).name == LABELS_FILE]
    if not found:
        raise DatasetError("labels.csv is missing from the archive")
    if len(found) > 1:
        raise DatasetError(f"the archive holds {len(found)} labels.csv files; expected one")
    return found[0]


def parse_labels(data: bytes) -> list[tuple[int, tuple[str, int]]]:
    """labels.csv → [(row number, (file, label))], checking the header, every name and every label."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise DatasetError("labels.csv is not UTF-8 text") from None
    try:
        lines = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as err:
        raise DatasetError(f"labels.csv is not valid CSV ({err})") from None
    if not lines or [cell.strip().lower() for cell in lines[0]] != HEADER:
        raise DatasetError("labels.csv must start with the header line: file,label")
    rows, seen = [], set()
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        name, label = _parse_row(number, cells)
        if name in seen:
            raise DatasetError(f"labels.csv row {number}: {name} is listed twice")
        seen.add(name)
        rows.append((number, (name, label)))
    if not rows:
        raise DatasetError("labels.csv lists no images")
    return rows


def _parse_row(number: int, cells: list[str]) -> tuple[str, int]:
    if len(cells) != 2:
        raise DatasetError(f"labels.csv row {number}: expected 2 columns (file,label), found {len(cells)}")
    name, label = cells[0].strip(), cells[1].strip()
    if not name:
        raise DatasetError(f"labels.csv row {number}: the file name is empty")
    try:
        check_name(name)
    except DatasetError as err:
        raise DatasetError(f"labels.csv row {number}: {err}") from None
    if label.lower() == "x":
        return name, NOT_A_DIGIT
    if len(label) == 1 and label in "0123456789":
        return name, int(label)
    raise DatasetError(f"labels.csv row {number}: label {label!r} is not a digit 0-9 or x (not a digit)")


def _image_example(data: bytes, label: int, name: str, limits: Limits) -> Example:
    try:
        return Example(data, preprocess(data, max_pixels=limits.max_pixels), label)
    except DrawingError as err:
        raise DatasetError(f"{name}: {err}") from None


# --- IDX pair --------------------------------------------------------------------------------------


def _read_idx(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> Dataset:
    if len(members) != 2:
        raise DatasetError(f"an IDX archive holds exactly two files (images and labels), found {len(members)}")
    kinds = {}
    for info in members:
        data = read_member(archive, info, limits.max_total_bytes)
        if data[:2] == b"\x1f\x8b":
            data = gunzip_bounded(data, limits.max_total_bytes, info.filename)
        magic = int.from_bytes(data[:4], "big")
        kind = {IMAGES_MAGIC: "images", LABELS_MAGIC: "labels"}.get(magic)
        if kind is None or kind in kinds:
            raise DatasetError(f"{info.filename}: not an IDX images or labels file (magic 0x{magic:08x})")
        kinds[kind] = data
    images, labels = _load_idx_pair(kinds)
    if len(images) != len(labels):
        raise DatasetError(f"the IDX files hold {len(images):,} images but {len(labels):,} labels")
    return Dataset([_array_example(image, int(label), f"image {i}") for i, (image, label) in
                    enumerate(zip(images, labels))], "idx")


def _load_idx_pair(kinds: dict[str, bytes]) -> tuple[np.ndarray, np.ndarray]:
    """Through ml.data's readers (they check magic numbers, shapes and sizes), from a private temp folder."""
    with tempfile.TemporaryDirectory(prefix="dataset-idx-") as folder:
        paths = {kind: Path(folder) / f"{kind}-idx" for kind in kinds}
        for kind, data in kinds.items():
            paths[kind].write_bytes(data)
        try:
            return load_idx_images(paths["images"]), load_idx_labels(paths["labels"])
        except MnistFormatError as err:
            raise DatasetError(str(err).replace(folder + "/", "")) from None


# --- npz -------------------------------------------------------------------------------------------


def _read_npz(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], limits: Limits) -> Dataset:
    arrays = {}
    for info in members:
        key = PurePosixPath(info.filename).stem
        if key in ("x", "y"):
            arrays[key] = _load_npy(read_member(archive, info, limits.max_total_bytes), info.filename)
    if set(arrays) != {"x", "y"}:
        raise DatasetError("an npz dataset needs the arrays x (images) and y (labels)")
    images, labels = _check_npz(arrays["x"], arrays["y"])
    return Dataset([_array_example(image, int(label), f"x[{i}]") for i, (image, label) in
                    enumerate(zip(images, labels))], "npz")


def _load_npy(data: bytes, name: str) -> np.ndarray:
    try:
        return np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise DatasetError(f"{name}: not a NumPy array without objects ({err})") from None


def _check_npz(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images as they are; float images in 0-1 scaled to 0-255; labels 0-9 or 10."""
    if x.ndim != 3 or x.shape[1:] != (28, 28):
        raise DatasetError(f"x has shape {x.shape}; expected (N, 28, 28)")
    if y.shape != (len(x),) or not np.issubdtype(y.dtype, np.integer):
        raise DatasetError(f"y must hold one integer label per image: shape {y.shape}, dtype {y.dtype}")
    bad = y[(y < 0) | (y > NOT_A_DIGIT)]
    if bad.size:
        raise DatasetError(f"y holds label {int(bad[0])}; labels are 0-9, or 10 for not a digit")
    if np.issubdtype(x.dtype, np.floating):
        if not np.isfinite(x).all() or x.min(initial=0) < 0 or x.max(initial=0) > 1:
            raise DatasetError("float images in x must hold values from 0 to 1")
        return np.rint(x * 255).astype(np.uint8), y
    if x.dtype != np.uint8:
        raise DatasetError(f"x has dtype {x.dtype}; expected uint8 (0-255) or float (0-1)")
    return x, y


def _array_example(image: np.ndarray, label: int, name: str) -> Example:
    """A 28x28 uint8 image (white on black): the model input by `to_model_input`, kept as a PNG."""
    try:
        x = to_model_input(image)
    except DrawingError as err:
        raise DatasetError(f"{name}: {err}") from None
    return Example(input_to_png(image.astype(np.float32) / 255.0), x, label)
