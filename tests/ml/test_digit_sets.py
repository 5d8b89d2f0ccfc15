"""The named digit sets come out as model inputs, with their labels, deterministically."""
import numpy as np
import pytest

from ml.data import load_mnist
from ml.digit_sets import (
    canvas_like,
    postal_like,
    small_canvas,
    unseen_writers_32,
    unseen_writers_scans,
    writers_train_inputs,
)
from ml.writers import DEFAULT_DIR, Digits, WriterDigits, load_writers

SAMPLE = 30  # digits per set in these tests: enough to see the form, fast


@pytest.fixture(scope="module")
def writers() -> WriterDigits:
    return load_writers(DEFAULT_DIR)


@pytest.fixture(scope="module")
def small_writers(writers) -> WriterDigits:
    """Every 60th digit of each split, so the sets build in a blink."""
    return WriterDigits(*(Digits(part.images[::60], part.labels[::60]) for part in writers))


@pytest.fixture(scope="module")
def mnist_val(mnist_dir):
    mnist = load_mnist(mnist_dir)
    return mnist.val_x[:SAMPLE], mnist.val_y[:SAMPLE]


def assert_model_inputs(inputs, labels, count):
    assert inputs.shape == (count, 28, 28) and inputs.dtype == np.float32
    assert labels.shape == (count,) and labels.dtype == np.int64
    assert inputs.min() >= 0.0 and inputs.max() <= 1.0
    # full ink, up to what enlarging a 1-px stroke of a 10-16 px scan to 20 px softens
    assert np.all(inputs.max(axis=(1, 2)) > 0.75) and np.median(inputs.max(axis=(1, 2))) > 0.95
    rows, cols = np.indices((28, 28))
    mass = inputs.sum(axis=(1, 2))
    assert np.all(np.abs((inputs * rows).sum(axis=(1, 2)) / mass - 14) < 1.0)
    assert np.all(np.abs((inputs * cols).sum(axis=(1, 2)) / mass - 14) < 1.0)
    heights, widths = _extents(inputs)
    assert np.all(np.maximum(heights, widths) >= 19) and np.all(np.maximum(heights, widths) <= 21)


def _extents(inputs):
    ink = inputs > 0.05
    heights = np.array([np.ptp(np.nonzero(i.any(axis=1))[0]) + 1 for i in ink])
    widths = np.array([np.ptp(np.nonzero(i.any(axis=0))[0]) + 1 for i in ink])
    return heights, widths


def test_writers_train_inputs_gives_k_variants_of_the_training_writers_only(small_writers):
    inputs, labels = writers_train_inputs(small_writers, np.random.default_rng(0), variants=3)
    count = len(small_writers.train.labels)
    assert_model_inputs(inputs, labels, 3 * count)
    assert np.array_equal(labels, np.tile(small_writers.train.labels, 3))
    assert not np.array_equal(inputs[:count], inputs[count:2 * count])  # the variants differ


def test_writers_train_inputs_is_deterministic_for_a_seed(small_writers):
    a = writers_train_inputs(small_writers, np.random.default_rng(1), variants=1)
    b = writers_train_inputs(small_writers, np.random.default_rng(1), variants=1)
    assert np.array_equal(a[0], b[0])


def test_unseen_writers_scans_are_the_windep_digits_as_stretched_scans(small_writers):
    inputs, labels = unseen_writers_scans(small_writers)
    assert_model_inputs(inputs, labels, len(small_writers.unseen.labels))
    assert np.array_equal(labels, small_writers.unseen.labels)
    heights, widths = _extents(inputs)
    assert np.all(np.abs(heights - widths) <= 1)  # stretched to a square box, so the 20-px box is full
    assert np.array_equal(inputs, unseen_writers_scans(small_writers)[0])


def test_unseen_writers_32_keep_optdigits_aspect(small_writers):
    inputs, labels = unseen_writers_32(small_writers)
    assert_model_inputs(inputs, labels, len(small_writers.unseen.labels))
    heights, widths = _extents(inputs)
    assert np.median(widths / heights) < 0.8  # optdigits are taller than wide; these are not stretched


def test_postal_like_fills_the_box_in_grayscale(mnist_val):
    inputs, labels = postal_like(*mnist_val)
    assert_model_inputs(inputs, labels, SAMPLE)
    assert np.array_equal(labels, mnist_val[1])
    heights, widths = _extents(inputs)
    assert np.all(np.abs(heights - widths) <= 2)
    assert np.mean((inputs > 0.05) & (inputs < 0.95)) > 0.02  # soft, blurred edges


def test_canvas_like_and_small_canvas_are_model_inputs(mnist_val):
    for build in (canvas_like, small_canvas):
        inputs, labels = build(*mnist_val)
        assert_model_inputs(inputs, labels, SAMPLE)
        assert np.array_equal(labels, mnist_val[1])


def test_small_canvas_loses_more_detail_on_smaller_pads(mnist_val):
    """Pads cycle 16x16, 24x24, 32x32: the 16x16 drawings differ most from the full-size canvas drawing."""
    coarse, _ = small_canvas(*mnist_val)
    fine, _ = canvas_like(*mnist_val)
    distance = np.abs(coarse - fine).mean(axis=(1, 2))
    on_16, on_32 = distance[0::3], distance[2::3]
    assert on_16.mean() > 1.2 * on_32.mean()
