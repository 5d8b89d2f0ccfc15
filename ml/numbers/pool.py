"""Labelled single digits to compose numbers from, kept apart by what the shipped model trained on.

- "train": MNIST's 55,000 training digits (the 60,000 minus the fixed validation 5,000 of `ml.data`)
  and the 30 optdigits training writers (`.tra` + `.tes`). The model has seen these digits, so they
  are for developing and tuning the segmentation, never for reporting it.
- "validation": MNIST's fixed 5,000 validation digits (never trained on) and the 13 unseen optdigits
  writers (`.windep`, measuring only), the digits our reported figures are composed from.
- "writers": the unseen writers alone (the issue's "numbers by other writers").

The MNIST test file is never opened here. Optdigits digits were stretched to fill their box, so their
aspect ratio is restored with `ml.scans.unstretch` (seeded) before use.
Never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.data import SPLIT_SEED, VALIDATION_SIZE, load_split, resolve_mnist_dir
from ml.scans import crop_to_ink, unstretch
from ml.writers import load_writers

SPLITS = ("train", "validation", "writers")
DEFAULT_MNIST_DIR = Path(__file__).resolve().parents[3] / "shared" / "data" / "mnist"
UNSTRETCH_SEED = 11  # fixes the aspect ratio each optdigits digit gets back


@dataclass(frozen=True)
class DigitPool:
    """Digit ink maps (float32, 1 = ink, cropped to the ink, any size) and their labels (int64)."""

    images: tuple[np.ndarray, ...]
    labels: np.ndarray
    first_writer: int = 0  # index of the first optdigits digit (they come after MNIST's)

    def of_label(self) -> dict[int, np.ndarray]:
        """Indices of each digit, to draw a wanted digit quickly."""
        return {d: np.flatnonzero(self.labels == d) for d in range(10)}


def digit_pool(split: str, *, mnist_dir: str | Path | None = None, writers_dir: str | Path | None = None) -> DigitPool:
    """The digits of one split (see the module docstring)."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    images: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    if split in ("train", "validation"):
        x, y = _mnist_part(split, mnist_dir)
        images += [crop_to_ink(image / 255.0) for image in x]
        labels.append(y)
    first_writer = len(images)
    writers = load_writers(writers_dir)
    x, y = writers.train if split == "train" else writers.unseen
    rng = np.random.default_rng(UNSTRETCH_SEED)
    images += [crop_to_ink(unstretch(image / 255.0, rng, int(label))) for image, label in zip(x, y)]
    labels.append(y)
    return DigitPool(tuple(image.astype(np.float32) for image in images), np.concatenate(labels).astype(np.int64),
                     first_writer)


def _mnist_part(split: str, mnist_dir: str | Path | None) -> tuple[np.ndarray, np.ndarray]:
    """MNIST's training file split as `ml.data.load_mnist` splits it (same seed), test file untouched."""
    directory = resolve_mnist_dir(mnist_dir) or DEFAULT_MNIST_DIR
    x, y = load_split(directory, "train")
    order = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    chosen = order[VALIDATION_SIZE:] if split == "train" else order[:VALIDATION_SIZE]
    return x[chosen], y[chosen]
