"""Dataset archives built from real data for the dataset tests: MNIST test digits drawn as browser canvases,
notMNIST letters as not-a-digit examples, in each importable format."""
import csv
import gzip
import io
import struct
import zipfile

import numpy as np
from PIL import Image

from ml.canvas import encode, stroke_mask, to_image
from ml.data import IMAGES_MAGIC, LABELS_MAGIC, load_idx_images
from ml.nondigits import NOTMNIST_DIR, NOTMNIST_FILES


def notmnist_letters(count: int) -> np.ndarray:
    """The first `count` notMNIST letters (uint8 28x28, white on black), as real non-digits."""
    return load_idx_images(NOTMNIST_DIR / NOTMNIST_FILES[0])[:count]


def canvas_png(image: np.ndarray) -> bytes:
    """An MNIST digit as the drawing page's canvas sends it (black strokes on white, 280x280)."""
    return encode(to_image(stroke_mask(image, 280)), "PNG")


def raw_png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image, mode="L").save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def labels_csv(rows: list[tuple[str, str]], header=("file", "label")) -> bytes:
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    if header:
        writer.writerow(header)
    writer.writerows(rows)
    return text.getvalue().encode()


def image_zip(digits: np.ndarray, labels: np.ndarray, letters: np.ndarray = ()) -> bytes:
    """Canvas PNGs of the digits and raw PNGs of the letters, with labels.csv (letters labelled x)."""
    members, rows = {}, []
    for i, (image, label) in enumerate(zip(digits, labels)):
        members[f"digits/{i}.png"] = canvas_png(image)
        rows.append((f"digits/{i}.png", str(int(label))))
    for i, letter in enumerate(letters):
        members[f"letters/{i}.png"] = raw_png(letter)
        rows.append((f"letters/{i}.png", "x"))
    members["labels.csv"] = labels_csv(rows)
    return zip_bytes(members)


def npz_bytes(**arrays) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def idx_images(images: np.ndarray) -> bytes:
    return struct.pack(">IIII", IMAGES_MAGIC, len(images), 28, 28) + images.astype(np.uint8).tobytes()


def idx_labels(labels: np.ndarray) -> bytes:
    return struct.pack(">II", LABELS_MAGIC, len(labels)) + labels.astype(np.uint8).tobytes()


def idx_zip(images: np.ndarray, labels: np.ndarray) -> bytes:
    """MNIST's own layout: two gzipped IDX files."""
    return zip_bytes({
        "t10k-images-idx3-ubyte.gz": gzip.compress(idx_images(images)),
        "t10k-labels-idx1-ubyte.gz": gzip.compress(idx_labels(labels)),
    })
