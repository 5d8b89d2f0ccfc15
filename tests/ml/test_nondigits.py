"""The real non-digit loaders, on the real files in /work/shared/data/nondigits."""
import numpy as np
import pytest

from ml.nondigits import (
    NOTMNIST_EXCLUDE,
    NOTMNIST_LETTERS,
    OMNIGLOT_EXCLUDE,
    OMNIGLOT_TRAIN_DRAWERS,
    OMNIGLOT_VALIDATION_DRAWERS,
    OMNIGLOT_ZIP,
    NOTMNIST_DIR,
    count_omniglot_files,
    load_notmnist,
    load_omniglot,
)

CHARACTERS = 26 + 24
DRAWERS = 20


@pytest.fixture(scope="module")
def omniglot():
    return load_omniglot(OMNIGLOT_ZIP)


@pytest.fixture(scope="module")
def notmnist():
    return load_notmnist(NOTMNIST_DIR)


def assert_valid_inputs(xs: np.ndarray) -> None:
    assert xs.dtype == np.float32 and xs.shape[1:] == (28, 28)
    assert xs.min() >= 0.0 and xs.max() <= 1.0
    assert (xs.reshape(len(xs), -1).max(axis=1) > 0).all()


def test_omniglot_zip_holds_2000_files_that_are_1000_distinct_drawings():
    assert count_omniglot_files(OMNIGLOT_ZIP) == 2_000
    everything = load_omniglot(OMNIGLOT_ZIP, exclude_digit_like=False)
    assert len(everything) == CHARACTERS * DRAWERS
    assert len(set(zip(everything.alphabets, everything.characters, everything.drawers))) == len(everything)


def test_omniglot_exclude_table_removes_exactly_those_characters(omniglot):
    assert len(omniglot) == (CHARACTERS - len(OMNIGLOT_EXCLUDE)) * DRAWERS
    loaded = set(zip(omniglot.alphabets, omniglot.characters))
    assert loaded.isdisjoint(OMNIGLOT_EXCLUDE)
    for must_go in [("Latin", "o"), ("Latin", "l"), ("Latin", "s"), ("Latin", "z"), ("Greek", "ο"), ("Greek", "ι")]:
        assert must_go in OMNIGLOT_EXCLUDE
    assert ("Latin", "a") in loaded and ("Greek", "λ") in loaded


def test_omniglot_drawer_split_is_disjoint_and_complete(omniglot):
    train, validation = omniglot.train(), omniglot.validation()
    assert set(train.drawers) == set(OMNIGLOT_TRAIN_DRAWERS)
    assert set(validation.drawers) == set(OMNIGLOT_VALIDATION_DRAWERS)
    assert len(train) + len(validation) == len(omniglot)
    assert len(validation) == (CHARACTERS - len(OMNIGLOT_EXCLUDE)) * len(OMNIGLOT_VALIDATION_DRAWERS)


def test_omniglot_inputs_are_model_inputs_and_inks_are_strokes_on_blank(omniglot):
    assert_valid_inputs(omniglot.inputs)
    assert omniglot.inks.shape[1:] == (105, 105)
    ink_share = (omniglot.inks > 0.5).mean(axis=(1, 2))
    assert (ink_share > 0.005).all() and (ink_share < 0.3).all()  # strokes, not an inverted background


def test_notmnist_excludes_digit_like_letters_and_keeps_the_rest(notmnist):
    letters = set(notmnist.train_letters) | set(notmnist.validation_letters)
    assert letters == set(NOTMNIST_LETTERS) - set(NOTMNIST_EXCLUDE)
    assert {"B", "G", "I"} <= set(NOTMNIST_EXCLUDE)
    total = len(notmnist.train) + len(notmnist.validation)
    kept_letters = len(NOTMNIST_LETTERS) - len(NOTMNIST_EXCLUDE)
    assert 0.99 * kept_letters * 1_000 <= total <= kept_letters * 1_000  # a few blank renderings may drop
    assert 0.18 < len(notmnist.validation) / total < 0.22
    assert_valid_inputs(notmnist.train)
    assert_valid_inputs(notmnist.validation)


def test_notmnist_split_is_deterministic_and_stable_under_exclusion(notmnist):
    again = load_notmnist(NOTMNIST_DIR)
    np.testing.assert_array_equal(again.validation, notmnist.validation)
    everything = load_notmnist(NOTMNIST_DIR, exclude_digit_like=False)
    keep = ~np.isin(everything.validation_letters, list(NOTMNIST_EXCLUDE))
    np.testing.assert_array_equal(everything.validation[keep], notmnist.validation)
