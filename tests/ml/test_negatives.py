"""Synthetic negatives: the asked count of valid model inputs, reproducible, and never a digit."""
import cv2
import numpy as np
import pytest

from ml import negatives
from ml.data import load_split
from ml.negatives import (
    GLYPH_TRAIN_SCRIPTS,
    GLYPH_VALIDATION_SCRIPTS,
    MIX_PROPORTIONS,
    blobs,
    crammed_digits,
    doodles,
    glyph_negatives,
    glyph_table,
    half_strokes,
    is_digit_like_glyph,
    looks_like_a_bar,
    looks_like_a_ring,
    negative_mix,
    scribbles,
    strike_throughs,
    touching_digits,
)
from ml.preprocess import to_model_input

COUNT = 24


@pytest.fixture(scope="module")
def mnist_train(mnist_dir):
    images, labels = load_split(mnist_dir, "train")
    return images[:2_000], labels[:2_000]


def generators(images, labels):
    return {
        "glyphs": lambda n, rng: glyph_negatives(n, rng),
        "doodles": doodles,
        "scribbles": scribbles,
        "blobs": blobs,
        "strike_throughs": lambda n, rng: strike_throughs(images, n, rng, labels),
        "crammed_digits": lambda n, rng: crammed_digits(images, n, rng),
        "touching_digits": lambda n, rng: touching_digits(images, n, rng),
        "half_strokes": lambda n, rng: half_strokes(images, n, rng),
        "mix": lambda n, rng: negative_mix(n, rng, images, labels),
    }


NAMES = [
    "glyphs", "doodles", "scribbles", "blobs", "strike_throughs", "crammed_digits", "touching_digits", "half_strokes", "mix",
]


@pytest.mark.parametrize("name", NAMES)
def test_generator_returns_the_asked_count_of_valid_model_inputs(name, mnist_train):
    xs = generators(*mnist_train)[name](COUNT, np.random.default_rng(0))
    assert xs.shape == (COUNT, 28, 28) and xs.dtype == np.float32
    assert xs.min() >= 0.0 and xs.max() <= 1.0
    assert (xs.reshape(COUNT, -1).max(axis=1) > 0.5).all()
    assert not any(looks_like_a_bar(x) or looks_like_a_ring(x) for x in xs)
    assert len({x.tobytes() for x in xs}) == COUNT  # no two alike: the generator really varies


@pytest.mark.parametrize("name", NAMES)
def test_generator_is_deterministic_for_a_seed(name, mnist_train):
    make = generators(*mnist_train)[name]
    first, again = make(8, np.random.default_rng(5)), make(8, np.random.default_rng(5))
    other = make(8, np.random.default_rng(6))
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other)


def test_no_negative_is_identical_to_a_digit_input(mnist_train):
    images, labels = mnist_train
    digit_inputs = {to_model_input(image).tobytes() for image in images}
    mix = negative_mix(200, np.random.default_rng(1), images, labels)
    assert not digit_inputs & {x.tobytes() for x in mix}


def test_negative_mix_follows_the_documented_proportions():
    sizes = negatives._split_count(1_000, MIX_PROPORTIONS)
    assert sum(sizes.values()) == 1_000
    for name, share in MIX_PROPORTIONS.items():
        assert abs(sizes[name] - 1_000 * share / sum(MIX_PROPORTIONS.values())) <= 1


def test_bar_check_calls_ones_bars_and_zeros_not(mnist_train):
    images, labels = mnist_train
    ones = [to_model_input(image) for image in images[labels == 1][:100]]
    zeros = [to_model_input(image) for image in images[labels == 0][:100]]
    assert np.mean([looks_like_a_bar(x) for x in ones]) > 0.6
    assert not any(looks_like_a_bar(x) for x in zeros)


def test_ring_check_calls_zeros_rings_and_other_digits_not(mnist_train):
    images, labels = mnist_train
    by_digit = {d: [to_model_input(image) for image in images[labels == d][:100]] for d in range(10)}
    assert np.mean([looks_like_a_ring(x) for x in by_digit[0]]) > 0.7
    for digit in range(1, 10):
        assert np.mean([looks_like_a_ring(x) for x in by_digit[digit]]) < 0.05, digit


def test_half_strokes_are_open_curves_never_loops(mnist_train):
    images, _ = mnist_train
    fragments = half_strokes(images, 40, np.random.default_rng(2))
    assert not any(negatives._has_hole((x > 0.3).astype(np.uint8)) for x in fragments)
    digits = [to_model_input(image) for image in images[:100]]  # while most whole digits have a loop
    assert np.mean([negatives._has_hole((x > 0.3).astype(np.uint8)) for x in digits]) > 0.3


def test_touching_digits_are_mostly_one_piece_of_ink_wider_than_tall(mnist_train):
    images, _ = mnist_train
    pairs = touching_digits(images, 60, np.random.default_rng(3))
    ink = [(x > 0.3).astype(np.uint8) for x in pairs]
    pieces = [cv2.connectedComponents(mask)[0] - 1 for mask in ink]
    aspects = [np.ptp(np.nonzero(mask)[1]) / max(np.ptp(np.nonzero(mask)[0]), 1) for mask in ink]
    assert np.mean(np.array(pieces) == 1) > 0.6  # touching ink joins; overlapping boxes may not
    assert np.mean(np.array(aspects) >= 1.0) > 0.8  # two or three digits side by side


def test_digit_like_glyphs_and_their_accented_forms_are_excluded():
    for char in "OoöÖΟοlI|ЗбSsZzgqסו":
        assert is_digit_like_glyph(char), char
    for char in "AЖλאლ★☺●":
        assert not is_digit_like_glyph(char), char
    for char in "○│├┐┘⊙◯":  # by name: rings, vertical box pieces, 7- and J-corners
        assert is_digit_like_glyph(char), char
    for script in ("latin", "greek", "cyrillic", "hebrew"):
        chars = {char for char, _ in glyph_table(script)}
        assert not any(is_digit_like_glyph(char) for char in chars)
    assert not {char for char, _ in glyph_table("latin")} & set("0123456789oOlIsSzZ")


def test_glyph_tables_skip_characters_the_fonts_lack():
    assert negatives._has_glyph("A", "DejaVuSans.ttf")
    assert not negatives._has_glyph("\u0e01", "DejaVuSans.ttf")  # Thai: not in DejaVu Sans
    assert not negatives._has_glyph("\u0378", "DejaVuSans.ttf")  # unassigned: no font has it
    georgian = dict(glyph_table("georgian"))
    assert georgian and all(fonts for fonts in georgian.values())
    assert any(len(fonts) < len(negatives.GLYPH_FONTS) for fonts in georgian.values())  # not every font has all


def test_validation_scripts_are_held_out_of_training():
    assert set(GLYPH_VALIDATION_SCRIPTS).isdisjoint(GLYPH_TRAIN_SCRIPTS)
    train_chars = {char for script in GLYPH_TRAIN_SCRIPTS for char, _ in glyph_table(script)}
    validation_chars = {char for script in GLYPH_VALIDATION_SCRIPTS for char, _ in glyph_table(script)}
    assert validation_chars and train_chars.isdisjoint(validation_chars)


def test_non_digit_modules_import_without_tensorflow():
    import subprocess
    import sys

    code = "import sys, ml.negatives, ml.nondigits, ml.nondigit_sets; print('tensorflow' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
