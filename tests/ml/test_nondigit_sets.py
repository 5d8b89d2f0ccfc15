"""Named validation sets of non-digits: valid model inputs, fixed, and apart from training data."""
import numpy as np
import pytest

from ml import nondigit_sets
from ml.negatives import glyph_negatives
from ml.nondigits import OMNIGLOT_EXCLUDE, OMNIGLOT_VALIDATION_DRAWERS, load_omniglot


def assert_valid_inputs(xs: np.ndarray) -> None:
    assert xs.ndim == 3 and xs.shape[1:] == (28, 28) and xs.dtype == np.float32
    assert xs.min() >= 0.0 and xs.max() <= 1.0
    assert (xs.reshape(len(xs), -1).max(axis=1) > 0).all()


def test_omniglot_validation_is_the_held_out_drawers_only():
    validation = nondigit_sets.omniglot_validation()
    assert_valid_inputs(validation)
    train = {x.tobytes() for x in load_omniglot().train().inputs}
    characters = 26 + 24 - len(OMNIGLOT_EXCLUDE)
    assert len(validation) == characters * len(OMNIGLOT_VALIDATION_DRAWERS)
    assert not train & {x.tobytes() for x in validation}


def test_unseen_script_glyphs_are_fixed_and_differ_from_training_glyphs():
    first, again = nondigit_sets.unseen_script_glyphs(40), nondigit_sets.unseen_script_glyphs(40)
    assert_valid_inputs(first)
    np.testing.assert_array_equal(first, again)
    training = glyph_negatives(40, np.random.default_rng(nondigit_sets.UNSEEN_GLYPHS_SEED))
    assert not {x.tobytes() for x in training} & {x.tobytes() for x in first}


def test_doodles_validation_is_fixed_and_comes_through_a_canvas_png():
    first = nondigit_sets.doodles_validation(20)
    assert_valid_inputs(first)
    np.testing.assert_array_equal(first, nondigit_sets.doodles_validation(20))
    assert len({x.tobytes() for x in first}) == 20


def test_clicks_and_smileys_holds_every_named_drawing():
    named = nondigit_sets.clicks_and_smileys_named()
    assert {"click centre", "letter A", "smiley", "three dots"} <= set(named)
    stacked = nondigit_sets.clicks_and_smileys()
    assert_valid_inputs(stacked)
    assert len(stacked) == len(nondigit_sets.CANVAS_DRAWINGS)
    # a click becomes a round dot filling the 20-px box, as the site would see it
    dot = named["click centre"] > 0.5
    rows, cols = np.nonzero(dot)
    assert 14 <= np.ptp(rows) + 1 <= 20 and 14 <= np.ptp(cols) + 1 <= 20


@pytest.mark.slow
def test_every_named_set_is_non_empty():
    for name, make in nondigit_sets.VALIDATION_SETS.items():
        assert len(make()) > 0, name
