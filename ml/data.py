"""MNIST from the four canonical IDX files, with a fixed validation split.

The directory comes from the caller or the `MNIST_DIR` environment variable. Only when neither is
given do we fall back to Keras's downloader (for users who are online); nothing here downloads when a
directory is named.
"""
from __future__ import annotations

import gzip
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

IMAGES_MAGIC = 0x00000803  # unsigned byte, 3 dimensions
LABELS_MAGIC = 0x00000801  # unsigned byte, 1 dimension
FILES = {
    "train": ("train-images-idx3-ubyte", "train-labels-idx1-ubyte"),
    "test": ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"),
}
VALIDATION_SIZE = 5_000
SPLIT_SEED = 20_240_601  # fixes which 5,000 training images are held out, forever


class MnistFormatError(ValueError):
    """An MNIST file is missing, truncated or not an IDX file of the expected kind."""


@dataclass(frozen=True)
class Mnist:
    """uint8 images (N, 28, 28) and int64 labels (N,) for each split."""

    train_x: np.ndarray
    train_y: np.ndarray
    val_x: np.ndarray
    val_y: np.ndarray
    test_x: np.ndarray
    test_y: np.ndarray


def _read_bytes(path: Path) -> bytes:
    """Read `path`, or `path.gz` if only the gzipped file exists; gzip is detected by content."""
    candidates = [path, path.with_name(path.name + ".gz")]
    found = next((p for p in candidates if p.exists()), None)
    if found is None:
        raise MnistFormatError(f"MNIST file not found: {path}(.gz)")
    raw = found.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as err:
            raise MnistFormatError(f"{found}: corrupt or truncated gzip data ({err})") from None
    return raw


def _read_idx(path: Path, magic: int, ndim: int) -> np.ndarray:
    raw = _read_bytes(path)
    header_size = 4 + 4 * ndim
    if len(raw) < header_size:
        raise MnistFormatError(f"{path}: file too short for an IDX header ({len(raw)} bytes)")
    (found_magic,) = struct.unpack(">I", raw[:4])
    if found_magic != magic:
        raise MnistFormatError(f"{path}: wrong magic number 0x{found_magic:08x}, expected 0x{magic:08x}")
    shape = struct.unpack(f">{ndim}I", raw[4:header_size])
    expected = int(np.prod(shape))
    if len(raw) - header_size != expected:
        raise MnistFormatError(
            f"{path}: header says {shape} ({expected} bytes) but the file holds {len(raw) - header_size} bytes"
        )
    return np.frombuffer(raw, dtype=np.uint8, offset=header_size).reshape(shape)


def load_idx_images(path: str | Path) -> np.ndarray:
    images = _read_idx(Path(path), IMAGES_MAGIC, 3)
    if images.shape[1:] != (28, 28):
        raise MnistFormatError(f"{path}: images are {images.shape[1:]}, expected 28x28")
    return images


def load_idx_labels(path: str | Path) -> np.ndarray:
    labels = _read_idx(Path(path), LABELS_MAGIC, 1).astype(np.int64)
    if labels.size and labels.max() > 9:
        raise MnistFormatError(f"{path}: label {labels.max()} is not a digit")
    return labels


def load_split(directory: str | Path, split: str) -> tuple[np.ndarray, np.ndarray]:
    images_name, labels_name = FILES[split]
    directory = Path(directory)
    images = load_idx_images(directory / images_name)
    labels = load_idx_labels(directory / labels_name)
    if len(images) != len(labels):
        raise MnistFormatError(f"{directory}: {len(images)} {split} images but {len(labels)} labels")
    return images, labels


def resolve_mnist_dir(directory: str | Path | None = None) -> Path | None:
    """The explicit directory, else `MNIST_DIR`, else None (meaning: use Keras's downloader)."""
    chosen = directory or os.environ.get("MNIST_DIR")
    if not chosen:
        return None
    path = Path(chosen).expanduser()
    if not path.is_dir():
        raise MnistFormatError(f"MNIST directory does not exist: {path}")
    return path


def _download_with_keras() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    import keras  # only for online users who named no directory

    return keras.datasets.mnist.load_data()


def load_mnist(directory: str | Path | None = None) -> Mnist:
    """All of MNIST: 55,000 train, 5,000 validation (a fixed random subset of the 60,000), 10,000 test."""
    path = resolve_mnist_dir(directory)
    if path is None:
        (train_x, train_y), (test_x, test_y) = _download_with_keras()
        train_y, test_y = train_y.astype(np.int64), test_y.astype(np.int64)
    else:
        train_x, train_y = load_split(path, "train")
        test_x, test_y = load_split(path, "test")
    order = np.random.default_rng(SPLIT_SEED).permutation(len(train_x))
    val_idx, train_idx = order[:VALIDATION_SIZE], order[VALIDATION_SIZE:]
    return Mnist(train_x[train_idx], train_y[train_idx], train_x[val_idx], train_y[val_idx], test_x, test_y)
