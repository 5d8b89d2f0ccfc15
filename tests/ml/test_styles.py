"""The procedural stroke digits: right labels and counts, model-input form, seeding, style shapes."""
import numpy as np
import pytest

from ml.styles import CANVAS, RARE_STYLES, STYLES, draw_style, synth_digits


def test_every_digit_has_at_least_one_style_and_rare_styles_exist():
    assert {label for label, _ in STYLES.values()} == set(range(10))
    assert set(RARE_STYLES) <= set(STYLES)


@pytest.mark.parametrize("name", sorted(STYLES))
def test_each_style_draws_an_ink_map_that_stays_on_the_canvas(name):
    rng = np.random.default_rng(0)
    for _ in range(20):
        ink = draw_style(name, rng)
        assert ink.shape == (CANVAS, CANVAS) and ink.dtype == np.float32
        assert ink.max() == 1.0 and ink.min() == 0.0
        border = np.concatenate([ink[0], ink[-1], ink[:, 0], ink[:, -1]])
        assert border.max() == 0.0, "the glyph was clipped by the canvas edge"


def test_synth_digits_labels_follow_the_chosen_styles():
    inputs, labels = synth_digits(60, np.random.default_rng(1), ["one_flag", "seven_crossed", "nine_curl"])
    assert inputs.shape == (60, 28, 28) and inputs.dtype == np.float32
    assert labels.dtype == np.int64 and set(labels.tolist()) == {1, 7, 9}


def test_synth_digits_are_model_inputs_centred_like_mnist():
    inputs, _ = synth_digits(40, np.random.default_rng(2), scan_prob=0.5)
    assert 0.9 < inputs.max(axis=(1, 2)).min() and inputs.max() <= 1.0 and inputs.min() >= 0.0
    rows, cols = np.indices((28, 28))
    mass = inputs.sum(axis=(1, 2))
    assert np.all(np.abs((inputs * rows).sum(axis=(1, 2)) / mass - 14) < 1.0)
    assert np.all(np.abs((inputs * cols).sum(axis=(1, 2)) / mass - 14) < 1.0)


def test_synth_digits_is_deterministic_for_a_seed():
    a = synth_digits(10, np.random.default_rng(3))
    b = synth_digits(10, np.random.default_rng(3))
    c = synth_digits(10, np.random.default_rng(4))
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_unknown_style_is_refused():
    with pytest.raises(ValueError, match="unknown styles"):
        synth_digits(1, np.random.default_rng(0), ["one_flag", "klingon_one"])


def _width_over_height(ink):
    rows, cols = np.nonzero(ink > 0.5)
    return (cols.max() - cols.min() + 1) / (rows.max() - rows.min() + 1)


def test_flag_ones_are_narrower_than_sevens():
    """A flag-1's short steep flag keeps it much narrower than a 7's top bar (it must not read as 7)."""
    rng = np.random.default_rng(5)
    ones = [_width_over_height(draw_style("one_flag", rng)) for _ in range(50)]
    sevens = [_width_over_height(draw_style("seven_plain", rng)) for _ in range(50)]
    assert np.median(ones) < 0.75 * np.median(sevens)


def _top_share(ink):
    """How much of the glyph's width its top tenth spans: a 7's bar spans nearly all of it."""
    rows, cols = np.nonzero(ink > 0.5)
    top = cols[rows < rows.min() + 0.1 * (rows.max() - rows.min() + 1)]
    return (top.max() - top.min() + 1) / (cols.max() - cols.min() + 1)


def test_a_flag_ones_top_is_a_tip_not_a_bar():
    rng = np.random.default_rng(6)
    ones = [_top_share(draw_style(name, rng)) for name in ("one_flag", "one_flag_foot") for _ in range(30)]
    sevens = [_top_share(draw_style(name, rng)) for name in ("seven_plain", "seven_serif") for _ in range(30)]
    assert max(ones) < 0.6 < 0.7 < min(sevens)


def test_the_shipped_model_reads_clean_synthetic_digits_as_their_labels(predictor):
    """Drawn cleanly, every style is legible to a model that never saw it: the strokes look like digits."""
    inputs, labels = synth_digits(200, np.random.default_rng(8))
    accuracy = (predictor.probabilities(inputs).argmax(axis=1) == labels).mean()
    assert accuracy >= 0.95
