"""Confirmed drawings → a file `import_dataset` reads back (npz, IDX pair in a zip, or zip of images + labels.csv).

npz and IDX hold the 28x28 model inputs (white on black, uint8) and labels; npz labels "not a digit" 10,
IDX (digits only, like MNIST) leaves those drawings out. The zip holds each drawing's original image as
sent, with labels.csv (``x`` for not a digit), so a re-import runs the same preprocessing as the upload did.
"""
import csv
import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet

from ml.data import IMAGES_MAGIC, LABELS_MAGIC
from ml.preprocess import png_to_input
from recognizer.datasets.importers import NOT_A_DIGIT
from recognizer.images import EXTENSIONS
from recognizer.models import Drawing
from recognizer.selectors import drawing_confirmed_q

EXPORT_FORMATS = ("zip", "npz", "idx")
CHUNK = 500  # drawings read from the database at a time (their blobs can be large)


@dataclass(frozen=True)
class ExportResult:
    data: bytes
    count: int  # drawings written
    skipped: int  # not-a-digit drawings left out (IDX only)
    filename: str


def confirmed_drawings(*, datasets: Iterable[str] = (), sources: Iterable[str] = ()) -> QuerySet:
    """Confirmed drawings, oldest first, optionally only those of the named datasets or sources."""
    queryset = Drawing.objects.filter(drawing_confirmed_q()).order_by("created", "id")
    datasets, sources = list(datasets), list(sources)
    if datasets:
        queryset = queryset.filter(dataset__in=datasets)
    if sources:
        queryset = queryset.filter(source__in=sources)
    return queryset


def dataset_export(queryset: QuerySet, fmt: str) -> ExportResult:
    """Only the confirmed drawings of `queryset` are written; raises ValueError for an unknown format."""
    writer = {"zip": _zip_csv, "npz": _npz, "idx": _idx}.get(fmt)
    if writer is None:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}")
    return writer(queryset.filter(drawing_confirmed_q()).order_by("created", "id"))


def _rows(queryset: QuerySet, field: str) -> Iterator[tuple[str, bytes, int, str]]:
    """(id, blob, label, content type) per drawing, reading one blob field only, in chunks."""
    values = queryset.values_list("id", field, "confirmed_label", "confirmed_not_a_digit", "content_type")
    for pk, blob, label, not_a_digit, content_type in values.iterator(chunk_size=CHUNK):
        yield str(pk), bytes(blob), NOT_A_DIGIT if not_a_digit else label, content_type


def _arrays(queryset: QuerySet) -> tuple[np.ndarray, np.ndarray]:
    images, labels = [], []
    for _, png, label, _ in _rows(queryset, "input_png"):
        images.append(np.rint(png_to_input(png) * 255).astype(np.uint8))
        labels.append(label)
    x = np.stack(images) if images else np.zeros((0, 28, 28), np.uint8)
    return x, np.asarray(labels, dtype=np.int64)


def _npz(queryset: QuerySet) -> ExportResult:
    x, y = _arrays(queryset)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, x=x, y=y)
    return ExportResult(buffer.getvalue(), len(x), 0, "drawings.npz")


def _idx(queryset: QuerySet) -> ExportResult:
    x, y = _arrays(queryset)
    digits = y != NOT_A_DIGIT
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("images-idx3-ubyte", struct.pack(">IIII", IMAGES_MAGIC, int(digits.sum()), 28, 28)
                         + x[digits].tobytes())
        archive.writestr("labels-idx1-ubyte", struct.pack(">II", LABELS_MAGIC, int(digits.sum()))
                         + y[digits].astype(np.uint8).tobytes())
    return ExportResult(buffer.getvalue(), int(digits.sum()), int((~digits).sum()), "drawings-idx.zip")


def _zip_csv(queryset: QuerySet) -> ExportResult:
    buffer, labels = io.BytesIO(), io.StringIO()
    table = csv.writer(labels, lineterminator="\n")
    table.writerow(["file", "label"])
    count = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for pk, image, label, content_type in _rows(queryset, "image"):
            name = f"images/{pk}.{EXTENSIONS.get(content_type, 'img')}"
            archive.writestr(name, image, compress_type=zipfile.ZIP_STORED)  # images are compressed already
            table.writerow([name, "x" if label == NOT_A_DIGIT else label])
            count += 1
        archive.writestr("labels.csv", labels.getvalue())
    return ExportResult(buffer.getvalue(), count, 0, "drawings.zip")
