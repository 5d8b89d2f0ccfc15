"""Composed numbers: deterministic by seed, made only of digits kept apart from what they measure, and
laid out as their layout says (touching digits really touch, overlapping boxes really overlap)."""
import io

import cv2
import numpy as np
import pytest
from PIL import Image

from ml import data
from ml.numbers import pool as pool_module
from ml.numbers.paper import STYLES, render
from ml.numbers.pool import digit_pool
from ml.numbers.synthesis import LAYOUTS, compose, glyph
from ml.preprocess import decode_ink
from ml.writers import load_writers


@pytest.fixture(scope="module")
def validation_pool():
    return digit_pool("validation")


def components(mask: np.ndarray) -> int:
    count, _ = cv2.connectedComponents((mask > 0.5).astype(np.uint8), connectivity=8)
    return count - 1


def test_same_seed_same_number_and_bytes(validation_pool):
    for layout in LAYOUTS:
        a = compose(validation_pool, np.random.default_rng(3), layout)
        b = compose(validation_pool, np.random.default_rng(3), layout)
        assert a.text == b.text and np.array_equal(a.mask, b.mask)
    for style in STYLES:
        number = compose(validation_pool, np.random.default_rng(4), "spaced")
        assert render(number.mask, style, np.random.default_rng(5)) == render(number.mask, style, np.random.default_rng(5))


def test_different_seeds_differ(validation_pool):
    texts = {compose(validation_pool, np.random.default_rng(seed), "spaced").text for seed in range(10)}
    assert len(texts) > 5


@pytest.mark.slow
def test_pools_never_open_the_mnist_test_split_and_keep_sources_apart(monkeypatch):
    opened = []
    real = data.load_split

    def spy(directory, split):
        opened.append(split)
        return real(directory, split)

    monkeypatch.setattr(pool_module, "load_split", spy)
    writers = load_writers()
    train, validation, unseen = digit_pool("train"), digit_pool("validation"), digit_pool("writers")
    assert opened == ["train", "train"]
    assert len(train.labels) == 60_000 - data.VALIDATION_SIZE + len(writers.train.labels)
    assert len(validation.labels) == data.VALIDATION_SIZE + len(writers.unseen.labels)
    assert len(unseen.labels) == len(writers.unseen.labels)
    # the validation pool's MNIST digits are exactly ml.data's validation split (none of its training part)
    mnist_x, mnist_y = real(pool_module.DEFAULT_MNIST_DIR, "train")
    order = np.random.default_rng(data.SPLIT_SEED).permutation(len(mnist_x))
    assert np.array_equal(validation.labels[: data.VALIDATION_SIZE], mnist_y[order[: data.VALIDATION_SIZE]])
    assert np.array_equal(train.labels[: len(order) - data.VALIDATION_SIZE], mnist_y[order[data.VALIDATION_SIZE :]])
    assert np.array_equal(unseen.labels, writers.unseen.labels)
    # where the writers' digits begin, after MNIST's
    assert (train.first_writer, validation.first_writer, unseen.first_writer) == (
        60_000 - data.VALIDATION_SIZE, data.VALIDATION_SIZE, 0)
    assert np.array_equal(train.labels[train.first_writer :], writers.train.labels)


def test_layouts_touch_overlap_or_keep_apart_as_named(validation_pool):
    touching_merged = tight_apart = 0
    for seed in range(20):
        spaced = compose(validation_pool, np.random.default_rng(seed), "spaced", digits=3)
        touching = compose(validation_pool, np.random.default_rng(seed), "touching", digits=3)
        tight = compose(validation_pool, np.random.default_rng(seed), "tight", digits=3)
        overlapping = compose(validation_pool, np.random.default_rng(seed), "overlapping", digits=3)
        assert spaced.text == touching.text == tight.text == overlapping.text
        touching_merged += components(touching.mask) <= components(spaced.mask) - 2  # both pairs touch
        tight_apart += components(tight.mask) == components(spaced.mask)
        for left, right in zip(overlapping.boxes, overlapping.boxes[1:]):
            assert left[0] + left[2] > right[0], "overlapping neighbours' boxes must overlap"
        for left, right in zip(spaced.boxes, spaced.boxes[1:]):
            assert left[0] + left[2] < right[0], "spaced neighbours' boxes must not overlap"
    assert touching_merged >= 18  # a pair sharing no rows (a high 7 beside a low 4) cannot touch
    assert tight_apart >= 18


def test_a_one_pixel_stroke_redrawn_small_with_a_thin_pen_is_still_ink():
    """Smoothing halves a 1 px stroke: it is widened so the glyph has full ink (compose finds digits by it)."""
    stick = np.zeros((20, 6), np.float32)
    stick[:, 2] = 1.0
    small = glyph(stick, 31, 2)
    assert (small > 0.5).any() and small.shape[0] == 31 + 4


def test_marks_add_ink_but_no_digits(validation_pool):
    plain = compose(validation_pool, np.random.default_rng(7), "spaced", digits=4)
    marked = compose(validation_pool, np.random.default_rng(7), "marks", digits=4)
    assert marked.text == plain.text and marked.text.isdigit()
    assert components(marked.mask) > components(plain.mask)


def test_every_style_decodes_to_the_same_strokes(validation_pool):
    number = compose(validation_pool, np.random.default_rng(8), "spaced", digits=3)
    for style in STYLES:
        data_bytes = render(number.mask, style, np.random.default_rng(9), height=number.height)
        image = Image.open(io.BytesIO(data_bytes))
        assert image.format == ("JPEG" if style == "scan" else "PNG")
        if style == "transparent":
            assert image.mode == "RGBA"
        ink = decode_ink(data_bytes)
        columns = (ink > 0.5).any(axis=0)
        runs = np.flatnonzero(np.diff(np.r_[0, columns.astype(int), 0]) == 1)
        assert len(runs) >= 3, f"{style}: the three spaced digits are not visible"
