"""Scan degradations: shapes, value ranges, what each transform does to a real digit, and seeding."""
import numpy as np
import pytest

from ml.preprocess import to_model_input
from ml.scans import (
    CAPTURES,
    binarise,
    capture,
    crop_to_ink,
    elastic,
    low_resolution,
    scan_variant,
    slant,
    stretch_to_box,
    stroke_width,
    unstretch,
)
from ml.writers import DEFAULT_DIR, load_optdigits


@pytest.fixture(scope="module")
def mnist_digits(mnist_test):
    """Twenty real MNIST test digits as ink maps (transforms only; nothing is trained here)."""
    images, labels = mnist_test
    return [image / 255.0 for image in images[:20]], labels[:20]


@pytest.fixture(scope="module")
def optdigits_ones():
    images, labels = load_optdigits(DEFAULT_DIR / "optdigits-orig.tes")
    return [image / 255.0 for image in images[labels == 1][:10]]


def _bbox(ink):
    rows, cols = np.nonzero(ink > 0.05)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def _is_ink_map(ink):
    return ink.dtype == np.float32 and ink.ndim == 2 and ink.min() >= 0.0 and ink.max() <= 1.0 and ink.max() > 0


def test_stretch_fills_the_whole_box_whatever_the_aspect(mnist_digits):
    for ink in mnist_digits[0]:
        box = stretch_to_box(ink, 16)
        assert box.shape == (16, 16) and _is_ink_map(box)
        assert _bbox(box) == (16, 16)


def test_binarise_keeps_only_zero_and_one_relative_to_the_strongest_ink():
    ink = np.array([[0.0, 0.2, 0.4], [0.5, 0.1, 0.0]], dtype=np.float32)
    assert binarise(ink, 0.5).tolist() == [[0, 0, 1], [1, 0, 0]]
    assert binarise(np.zeros((3, 3)), 0.5).sum() == 0


def test_low_resolution_keeps_the_aspect_and_shrinks_the_longest_side():
    ink = np.zeros((60, 30), dtype=np.float32)
    ink[10:50, 10:20] = 1.0
    small = low_resolution(ink, 12)
    assert small.shape == (12, 6) and _is_ink_map(small)


def test_slant_leans_the_top_right_for_positive_shear():
    bar = np.zeros((40, 10), dtype=np.float32)
    bar[:, 4:6] = 1.0
    for shear in (0.4, -0.4):
        leaned = slant(bar, shear)
        assert leaned.shape == (40, 10 + 16) and _is_ink_map(leaned)
        top_x = np.nonzero(leaned[0])[0].mean()
        bottom_x = np.nonzero(leaned[-1])[0].mean()
        assert np.sign(top_x - bottom_x) == np.sign(shear)
        assert abs(top_x - bottom_x) == pytest.approx(abs(shear) * 39, abs=1.0)


def test_elastic_moves_ink_but_keeps_most_of_it_and_is_seeded(mnist_digits):
    ink = mnist_digits[0][0]
    a = elastic(ink, np.random.default_rng(1))
    b = elastic(ink, np.random.default_rng(1))
    c = elastic(ink, np.random.default_rng(2))
    assert a.shape == ink.shape and _is_ink_map(a)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert not np.allclose(a, ink)
    assert 0.6 < a.sum() / ink.sum() < 1.4


def test_stroke_width_thickens_or_thins(mnist_digits):
    rng = np.random.default_rng(0)
    ink = mnist_digits[0][0]
    sums = [stroke_width(ink, rng).sum() for _ in range(30)]
    assert max(sums) > ink.sum() * 1.2 and min(sums) < ink.sum()


def test_unstretch_narrows_optdigits_ones_and_keeps_the_height(optdigits_ones):
    rng = np.random.default_rng(0)
    for ink in optdigits_ones:
        height, width = _bbox(ink)
        narrowed = unstretch(ink, rng, 1)
        new_height, new_width = _bbox(narrowed)
        assert _is_ink_map(narrowed)
        assert abs(new_height - height) <= 1
        assert new_width / new_height <= 0.62 + 0.05
    wide = [_bbox(unstretch(optdigits_ones[0], rng, 0)) for _ in range(20)]
    assert min(w / h for h, w in wide) >= 0.70 - 0.05


@pytest.mark.parametrize("kind", CAPTURES)
def test_every_capture_gives_an_ink_map_the_model_input_accepts(kind, mnist_digits):
    rng = np.random.default_rng(3)
    for ink in mnist_digits[0][:5]:
        scanned = capture(crop_to_ink(ink), kind, rng)
        assert _is_ink_map(scanned)
        x = to_model_input(scanned)
        assert x.shape == (28, 28) and 0.9 < x.max() <= 1.0  # resizing to 20 px may soften the peak
    if kind.startswith("form") or kind == "pad":
        assert set(np.unique(scanned)) <= {0.0, 1.0}
    if kind == "pad":
        assert max(scanned.shape) <= 24


def test_scan_variant_is_deterministic_for_a_seed_and_varied_across_draws(mnist_digits):
    ink = mnist_digits[0][1]
    first = [scan_variant(ink, np.random.default_rng(5)) for _ in range(2)]
    assert np.array_equal(first[0], first[1])
    rng = np.random.default_rng(6)
    shapes = {scan_variant(ink, rng).shape for _ in range(30)}
    assert len(shapes) > 3  # stretched boxes, low-resolution and slanted drawings differ in size
    assert all(_is_ink_map(scan_variant(ink, rng)) for _ in range(10))


def test_unknown_capture_is_refused(mnist_digits):
    with pytest.raises(ValueError, match="unknown capture"):
        capture(mnist_digits[0][0], "fax", np.random.default_rng(0))
