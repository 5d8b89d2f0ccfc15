"""What a model learns from and what it is measured on, beyond MNIST.

`training_mix` assembles the training set: MNIST's 55,000 training digits, some of them re-scanned the way
forms and postal scans look (`ml.scans`); the 30 optdigits training writers in several scan variants;
procedurally drawn styles MNIST lacks (`ml.styles`: flag 1s, crossed 7s, open 4s, curled 9s, ...); and
"not a digit" examples (label 10): Omniglot letters by drawers 1-15, notMNIST font letters, and synthetic
negatives (`ml.negatives`: glyphs of other scripts, doodles, scribbles, dots, struck-through, crammed,
touching and fragmentary digits). Digit-like letters are left out of the negatives by those modules.

`validation_sets` builds the named sets every version is measured on, none ever trained on: MNIST
validation, the 13 unseen optdigits writers as 16x16 black-and-white scans and at 32x32, MNIST validation
digits redrawn as postal scans, browser canvases and small touch pads; and non-digits: Omniglot letters by
drawers 16-20, glyphs of held-out scripts, doodles and clicks/smileys with seeds of their own.
Never imports TensorFlow.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ml import digit_sets, negatives, nondigit_sets
from ml.calibration import NOT_A_DIGIT
from ml.data import Mnist
from ml.nondigits import load_notmnist, load_omniglot
from ml.preprocess import to_model_input
from ml.report import data_source
from ml.scans import scan_variant
from ml.styles import synth_digits
from ml.writers import Digits, WriterDigits, load_writers

MNIST_DERIVED_VALIDATION = 2_000  # MNIST validation digits redrawn per client style (canvas, postal, pad)
# Validation sets whose calibration is fitted and reported as "other writers" (not MNIST's own style).
OTHER_WRITERS = ("writers_scans_16", "writers_32", "postal_like", "canvas_like", "small_canvas")


@dataclass(frozen=True)
class MixConfig:
    """How much of each source one training run uses (the defaults build the shipped model)."""

    mnist_scans: int = 12_000  # MNIST training digits added again as form / postal scans
    writer_variants: int = 5  # scan variants of each of the 2,880 optdigits training digits
    style_digits: int = 10_000  # procedurally drawn digits in styles MNIST lacks
    style_scan_share: float = 0.3  # share of those also degraded like a scan
    synthetic_negatives: int = 17_600  # ml.negatives.negative_mix
    real_negatives: int = 5_000  # at most this many of each: Omniglot drawers 1-15 (495), notMNIST's training split (4,804)
    # npz files of further examples (x (N,28,28) uint8 or float model inputs, y 0-9 or 10 = not a digit),
    # e.g. confirmed drawings of imported datasets (`manage.py train --dataset NAME` writes them)
    extra: tuple[str, ...] = ()


QUICK_MIX = MixConfig(mnist_scans=2_000, writer_variants=1, style_digits=2_000, synthetic_negatives=3_300)


@dataclass
class TrainingSet:
    x: np.ndarray  # (N, 28, 28) float32 model inputs
    y: np.ndarray  # (N,) int64, 0-9 digits, 10 not a digit
    sources: dict[str, dict] = field(default_factory=dict)  # name → count and checksum, for the report


def training_mix(mnist_x: np.ndarray, mnist_y: np.ndarray, config: MixConfig, seed: int, log=print, *,
                 limit: int | None = None) -> TrainingSet:
    """mnist_x: model inputs of MNIST's training split (already through the pipeline); mnist_y their labels.
    `limit`: at most this many images of each source, chosen at random (quick runs and tests)."""
    rng = np.random.default_rng(seed)
    cap = float("inf") if limit is None else limit
    parts: dict[str, tuple[np.ndarray, np.ndarray]] = {"mnist_train": (mnist_x, mnist_y)}
    if config.mnist_scans:
        parts["mnist_scans"] = _rescanned(mnist_x, mnist_y, min(config.mnist_scans, cap), rng)
    if config.writer_variants:
        parts["optdigits_writers"] = digit_sets.writers_train_inputs(load_writers(), rng, config.writer_variants)
    if config.style_digits:
        parts["styles"] = synth_digits(min(config.style_digits, cap), rng, scan_prob=config.style_scan_share)
    if config.real_negatives:
        omniglot, notmnist = load_omniglot().train().inputs, load_notmnist().train
        for name, letters in (("omniglot_train", omniglot), ("notmnist_train", notmnist)):
            (letters,) = _sample(min(config.real_negatives, cap), rng, letters)
            parts[name] = (letters, _not_digits(len(letters)))
    if config.synthetic_negatives:
        images = (np.clip(mnist_x, 0, 1) * 255).astype(np.uint8)
        synthetic = negatives.negative_mix(min(config.synthetic_negatives, cap), rng, images, mnist_y)
        parts["synthetic_negatives"] = (synthetic, _not_digits(len(synthetic)))
    for path in config.extra:
        parts[f"extra:{Path(path).stem}"] = load_extra(path)
    if limit is not None:
        parts = {name: _sample(limit, rng, x, y) for name, (x, y) in parts.items()}
    for name, (x, _) in parts.items():
        log(f"  {name}: {len(x):,}")
    x = np.concatenate([x for x, _ in parts.values()]).astype(np.float32)
    y = np.concatenate([y for _, y in parts.values()]).astype(np.int64)
    return TrainingSet(x, y, {name: data_source(x, y) for name, (x, y) in parts.items()})


def load_extra(path: str | Path) -> tuple[np.ndarray, np.ndarray]:
    """An npz of model inputs (uint8 0-255 or float 0-1) and labels (10 = not a digit) as training arrays."""
    with np.load(path, allow_pickle=False) as arrays:
        x, y = arrays["x"], arrays["y"].astype(np.int64)
    if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),):
        raise ValueError(f"{path}: expected x (N, 28, 28) and y (N,), found {x.shape} and {y.shape}")
    if y.size and (y.min() < 0 or y.max() > NOT_A_DIGIT):
        raise ValueError(f"{path}: labels must be 0-9, or {NOT_A_DIGIT} for not a digit")
    x = x.astype(np.float32) / 255.0 if x.dtype == np.uint8 else x.astype(np.float32)
    return x, y


def _rescanned(x: np.ndarray, y: np.ndarray, count: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    chosen = rng.choice(len(x), size=min(count, len(x)), replace=False)
    return np.stack([to_model_input(scan_variant(x[i], rng)) for i in chosen]).astype(np.float32), y[chosen]


def _sample(count: int, rng: np.random.Generator, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """The same `count` rows of each array, chosen at random and kept in order; the arrays as they are
    (and `rng` untouched) when they hold no more."""
    if len(arrays[0]) <= count:
        return arrays
    chosen = np.sort(rng.choice(len(arrays[0]), size=count, replace=False))
    return tuple(array[chosen] for array in arrays)


def _not_digits(count: int) -> np.ndarray:
    return np.full(count, NOT_A_DIGIT, dtype=np.int64)


@dataclass
class ValidationSets:
    digits: dict[str, tuple[np.ndarray, np.ndarray]]  # name → (inputs, labels 0-9)
    nondigits: dict[str, np.ndarray]  # name → inputs, all "not a digit"

    def early_stopping(self) -> tuple[np.ndarray, np.ndarray]:
        """One set for choosing the epoch: MNIST validation, the unseen writers' scans, and non-digits."""
        xs = [self.digits["mnist_validation"][0], self.digits["writers_scans_16"][0], *self.nondigits.values()]
        ys = [self.digits["mnist_validation"][1], self.digits["writers_scans_16"][1],
              *(_not_digits(len(x)) for x in self.nondigits.values())]
        return np.concatenate(xs), np.concatenate(ys)


def validation_sets(mnist: Mnist, mnist_val_x: np.ndarray, *, size: int | None = None) -> ValidationSets:
    """mnist_val_x: MNIST's validation split through the pipeline (the raw images come from `mnist`).
    `size` caps every set (quick runs and tests); by default each set is as large as its source allows."""
    writers = load_writers()
    if size:
        writers = WriterDigits(writers.train, Digits(writers.unseen.images[:size], writers.unseen.labels[:size]))
    limit = min(size or MNIST_DERIVED_VALIDATION, MNIST_DERIVED_VALIDATION)
    val_images, val_labels = mnist.val_x[:limit], mnist.val_y[:limit]
    digits = {
        "mnist_validation": (mnist_val_x[: size or None], mnist.val_y[: size or None]),
        "writers_scans_16": digit_sets.unseen_writers_scans(writers),
        "writers_32": digit_sets.unseen_writers_32(writers),
        "postal_like": digit_sets.postal_like(val_images, val_labels),
        "canvas_like": digit_sets.canvas_like(val_images, val_labels),
        "small_canvas": digit_sets.small_canvas(val_images, val_labels),
    }
    nondigits = {
        "omniglot_validation": nondigit_sets.omniglot_validation(),
        "unseen_script_glyphs": nondigit_sets.unseen_script_glyphs(**({"count": size} if size else {})),
        "doodles_validation": nondigit_sets.doodles_validation(**({"count": size} if size else {})),
        "clicks_and_smileys": nondigit_sets.clicks_and_smileys(),
    }
    return ValidationSets(digits, nondigits)
