"""Real non-digits from /work/shared/data/nondigits: letters drawn by people (Omniglot) and fonts (notMNIST).

Both loaders return model inputs made by `ml.preprocess` (the serving pipeline), so a negative looks
to the model exactly as it would if a user sent it. Letters that people write like digits (o/0, l/1,
s/5, ...) are left out by explicit, commented tables: teaching the model that every "o" is "not a
digit" would make it refuse real zeros, which is worse than accepting an odd letter.

Each loader has a fixed train/validation split (by drawer for Omniglot, by a seeded shuffle for
notMNIST) so the figures measured on validation never saw training data. Never imports TensorFlow.
"""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ml.data import load_idx_images, load_idx_labels
from ml.preprocess import DrawingError, decode_ink, to_model_input

NONDIGITS_DIR = Path(
    os.environ.get("NONDIGITS_DIR", Path(__file__).resolve().parents[2] / "shared" / "data" / "nondigits")
)
OMNIGLOT_ZIP = NONDIGITS_DIR / "omniglot-latin-greek.zip"
NOTMNIST_DIR = NONDIGITS_DIR / "notmnist"

# --- Omniglot -------------------------------------------------------------------------------------

# characterNN is the NN-th letter of the alphabet, in alphabetical order (checked on a rendered grid).
LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyz"
GREEK_LETTERS = "αβγδεζηθικλμνξοπρστυφχψω"
ALPHABET_LETTERS = {"Latin": LATIN_LETTERS, "Greek": GREEK_LETTERS}

# Characters people draw like a digit, decided by looking at all 20 drawings of each (a grid of the
# model inputs). Left out of every negative set. Kept on purpose (not digit-like enough): a, c, d, e,
# j, p, t, u, v, y; Greek alpha, gamma, epsilon (a mirrored 3 at most), eta, tau, upsilon, phi, chi.
OMNIGLOT_EXCLUDE: dict[tuple[str, str], str] = {
    ("Latin", "b"): "a b is a 6 with a tall stem",
    ("Latin", "g"): "drawn as a 9 (single-storey g) by most drawers",
    ("Latin", "i"): "a 1 with a dot (the dot is often dropped as a speck)",
    ("Latin", "l"): "a single vertical stroke: a 1",
    ("Latin", "o"): "a 0",
    ("Latin", "q"): "a 9",
    ("Latin", "s"): "written like a 5 by several drawers",
    ("Latin", "z"): "a 2 (and a 7 with a foot)",
    ("Greek", "β"): "a B: an 8 with a stem",
    ("Greek", "δ"): "a 6 or an open 8",
    ("Greek", "ζ"): "several drawings are a 3 or a 2",
    ("Greek", "θ"): "a slashed zero",
    ("Greek", "ι"): "a 1 (or an L)",
    ("Greek", "ξ"): "a 3 with a top stroke",
    ("Greek", "ο"): "omicron: a 0",
    ("Greek", "ρ"): "a mirrored 9 / a p, close to 9",
    ("Greek", "σ"): "a 0 or a 6 with a tail",
}

OMNIGLOT_TRAIN_DRAWERS = frozenset(range(1, 16))  # drawers 1-15 train
OMNIGLOT_VALIDATION_DRAWERS = frozenset(range(16, 21))  # drawers 16-20 only ever validate
_OMNIGLOT_NAME = re.compile(r"^[^/]+/(?P<alphabet>[^/]+)/character(?P<number>\d+)/\d+_(?P<drawer>\d+)\.png$")


@dataclass(frozen=True)
class OmniglotLetters:
    """Omniglot drawings: ink maps (N, 105, 105) float32 (1 = ink), model inputs (N, 28, 28) and who/what."""

    inks: np.ndarray
    inputs: np.ndarray
    alphabets: np.ndarray  # str, "Latin" or "Greek"
    characters: np.ndarray  # str, the letter itself ("a", "β")
    drawers: np.ndarray  # int, 1-20

    def __len__(self) -> int:
        return len(self.inputs)

    def subset(self, keep: np.ndarray) -> OmniglotLetters:
        return OmniglotLetters(
            self.inks[keep], self.inputs[keep], self.alphabets[keep], self.characters[keep], self.drawers[keep]
        )

    def train(self) -> OmniglotLetters:
        """Drawings by drawers 1-15."""
        return self.subset(np.isin(self.drawers, sorted(OMNIGLOT_TRAIN_DRAWERS)))

    def validation(self) -> OmniglotLetters:
        """Drawings by drawers 16-20, never used for training."""
        return self.subset(np.isin(self.drawers, sorted(OMNIGLOT_VALIDATION_DRAWERS)))


def is_digit_like(alphabet: str, character: str) -> bool:
    return (alphabet, character) in OMNIGLOT_EXCLUDE


def load_omniglot(zip_path: str | Path = OMNIGLOT_ZIP, *, exclude_digit_like: bool = True) -> OmniglotLetters:
    """Every distinct drawing in the zip, through the serving pipeline.

    The zip holds two sets (images_background_small1 and small2) that are byte-for-byte copies of each
    other, so its 2,000 files are 1,000 drawings: each is loaded once (by content), or it would count
    twice and leak across any split that is not by drawer.
    """
    seen: set[bytes] = set()
    inks, inputs, alphabets, characters, drawers = [], [], [], [], []
    with zipfile.ZipFile(zip_path) as archive:
        for name in sorted(archive.namelist()):
            match = _OMNIGLOT_NAME.match(name)
            if not match:
                continue
            data = archive.read(name)
            digest = hashlib.sha256(data).digest()
            if digest in seen:
                continue
            seen.add(digest)
            alphabet = match["alphabet"]
            character = ALPHABET_LETTERS[alphabet][int(match["number"]) - 1]
            if exclude_digit_like and is_digit_like(alphabet, character):
                continue
            try:
                ink = decode_ink(data)
                model_input = to_model_input(ink)
            except DrawingError:
                continue
            inks.append(ink)
            inputs.append(model_input)
            alphabets.append(alphabet)
            characters.append(character)
            drawers.append(int(match["drawer"]))
    return OmniglotLetters(
        np.stack(inks).astype(np.float32),
        np.stack(inputs).astype(np.float32),
        np.array(alphabets),
        np.array(characters),
        np.array(drawers, dtype=np.int64),
    )


def count_omniglot_files(zip_path: str | Path = OMNIGLOT_ZIP) -> int:
    """How many drawing files the zip holds (copies included)."""
    with zipfile.ZipFile(zip_path) as archive:
        return sum(1 for name in archive.namelist() if _OMNIGLOT_NAME.match(name))


# --- notMNIST -------------------------------------------------------------------------------------

NOTMNIST_LETTERS = "ABCDEFGHIJ"  # label k is the k-th letter
# Font letters too close to a digit, decided from a grid of 30 renderings per letter.
NOTMNIST_EXCLUDE: dict[str, str] = {
    "B": "an 8 in most fonts",
    "D": "a 0 in rounded fonts",
    "G": "a 6 in many fonts",
    "I": "a 1 (a bar, or a bar with serifs)",
}
NOTMNIST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")
NOTMNIST_VALIDATION_SHARE = 0.2
NOTMNIST_SPLIT_SEED = 20_261_125  # fixes which renderings validate, forever


@dataclass(frozen=True)
class NotMnistLetters:
    """notMNIST font letters as model inputs (N, 28, 28) with their letters, split train/validation."""

    train: np.ndarray
    train_letters: np.ndarray
    validation: np.ndarray
    validation_letters: np.ndarray


def load_notmnist(directory: str | Path = NOTMNIST_DIR, *, exclude_digit_like: bool = True) -> NotMnistLetters:
    """notMNIST letters A-J (fonts, not handwriting), MNIST-normalised; 20 % validate (seeded split).

    The split is drawn over all 10,000 files before any exclusion, so an image's side never changes.
    """
    directory = Path(directory)
    images = load_idx_images(directory / NOTMNIST_FILES[0])
    labels = load_idx_labels(directory / NOTMNIST_FILES[1])
    order = np.random.default_rng(NOTMNIST_SPLIT_SEED).permutation(len(images))
    is_validation = np.zeros(len(images), dtype=bool)
    is_validation[order[: int(round(NOTMNIST_VALIDATION_SHARE * len(images)))]] = True
    letters = np.array([NOTMNIST_LETTERS[label] for label in labels])
    keep = ~np.isin(letters, list(NOTMNIST_EXCLUDE)) if exclude_digit_like else np.ones(len(images), bool)
    inputs, kept = _model_inputs(images[keep])
    letters, is_validation = letters[keep][kept], is_validation[keep][kept]
    return NotMnistLetters(inputs[~is_validation], letters[~is_validation], inputs[is_validation], letters[is_validation])


def _model_inputs(images: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Model inputs of the images that are not empty, and a mask of which those were."""
    inputs, kept = [], np.zeros(len(images), dtype=bool)
    for index, image in enumerate(images):
        try:
            inputs.append(to_model_input(image))
            kept[index] = True
        except DrawingError:
            continue
    return np.stack(inputs).astype(np.float32), kept
