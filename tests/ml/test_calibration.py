"""From raw logits to served figures: temperature, digit probabilities, digit score and threshold."""
import numpy as np
import pytest

from ml.calibration import NOT_A_DIGIT, Calibration, choose_threshold, fit_temperature


def test_served_probabilities_are_the_ten_digits_and_sum_to_one():
    logits = np.array([[4.0, 1.0, 0, 0, 0, 0, 0, 0, 0, 0, 2.0]])
    probabilities, digit_scores = Calibration(output="logits", temperature=1.0).apply(logits)
    assert probabilities.shape == (1, 10) and probabilities.sum() == pytest.approx(1.0)
    assert probabilities.argmax() == 0
    everything = np.exp(logits[0]) / np.exp(logits[0]).sum()
    assert digit_scores[0] == pytest.approx(1 - everything[NOT_A_DIGIT])


def test_a_higher_temperature_lowers_confidence_but_never_changes_the_digit():
    logits = np.random.default_rng(0).normal(size=(50, 11)) * 4
    sharp, _ = Calibration(output="logits", temperature=0.5).apply(logits)
    soft, _ = Calibration(output="logits", temperature=3.0).apply(logits)
    assert (sharp.argmax(1) == soft.argmax(1)).all()
    assert (soft.max(1) < sharp.max(1)).all()


def test_older_models_output_probabilities_and_have_no_digit_score():
    probabilities = np.full((2, 10), 0.1)
    served, digit_scores = Calibration.from_serving({}).apply(probabilities)
    assert np.allclose(served, probabilities) and digit_scores is None
    assert Calibration().is_digit(digit_scores) is None


def test_fitted_temperature_undoes_overconfidence():
    rng = np.random.default_rng(1)
    honest = rng.normal(size=(4000, 10)) * 2
    p = np.exp(honest) / np.exp(honest).sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(10, p=row) for row in p])  # outcomes drawn from the stated probabilities
    overconfident = honest * 3  # the same model stating far more certainty
    assert fit_temperature(overconfident, labels) == pytest.approx(3.0, rel=0.1)


def test_threshold_refuses_at_most_the_share_asked():
    scores = np.linspace(0.01, 1.0, 1000)
    threshold = choose_threshold(scores, 0.01)
    assert (scores < threshold).mean() <= 0.01
    assert (scores < np.nextafter(threshold, 2)).mean() > 0.01 - 1e-9
    assert Calibration(output="logits", digit_threshold=threshold).is_digit(np.array([0.001, 0.5])).tolist() == [False, True]
