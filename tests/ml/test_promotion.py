import uuid

import numpy as np
import pytest

from ml.promotion import Comparison, Gate, compare, is_held_out


def test_compare_counts_what_the_candidate_fixed_and_broke():
    labels = np.array([1, 2, 3, 4, 5])
    active = np.array([1, 2, 0, 0, 5])  # 3 right
    candidate = np.array([1, 0, 3, 4, 5])  # 4 right: fixed two, broke one
    assert compare(active, candidate, labels) == Comparison(5, 0.6, 0.8, fixed=2, broken=1)


def test_compare_of_nothing_has_no_accuracy():
    empty = np.array([], dtype=int)
    assert compare(empty, empty, empty) == Comparison(0, None, None, 0, 0)


def mnist(active: float, candidate: float) -> Comparison:
    return Comparison(10_000, active, candidate, 0, 0)


def held(active: float, candidate: float) -> Comparison:
    return Comparison(100, active, candidate, 0, 0)


@pytest.mark.parametrize(
    "mnist_result, held_result, passes, why",
    [
        (mnist(0.997, 0.9962), held(0.90, 0.95), True, "held-out +5.00 points"),
        (mnist(0.997, 0.9960), held(0.90, 0.90), True, "held-out +0.00 points"),  # exactly at both limits
        (mnist(0.997, 0.9959), held(0.90, 0.99), False, "MNIST test accuracy drops 0.11 points"),
        (mnist(0.997, 0.9970), held(0.90, 0.89), False, "held-out drawings accuracy changes -1.00 points"),
    ],
)
def test_default_gate(mnist_result, held_result, passes, why):
    passed, reason = Gate().decide(mnist_result, held_result)
    assert passed is passes and why in reason


def test_gate_without_held_out_drawings_refuses():
    passed, reason = Gate().decide(mnist(0.99, 0.99), Comparison(0, None, None, 0, 0))
    assert not passed and "no held-out drawings" in reason


def test_gate_thresholds_are_configurable():
    strict = Gate(max_mnist_drop=0.0, min_holdout_gain=0.05)
    assert not strict.decide(mnist(0.997, 0.9969), held(0.9, 1.0))[0]
    assert not strict.decide(mnist(0.997, 0.997), held(0.9, 0.94))[0]
    assert strict.decide(mnist(0.997, 0.997), held(0.9, 0.95))[0]


def test_held_out_side_depends_on_the_id_only_and_matches_the_percentage():
    ids = [uuid.UUID(int=i) for i in range(2_000)]
    first = [is_held_out(i, 20) for i in ids]
    assert first == [is_held_out(str(i), 20) for i in ids]
    assert 0.17 < np.mean(first) < 0.23
    assert not any(is_held_out(i, 0) for i in ids) and all(is_held_out(i, 100) for i in ids)
