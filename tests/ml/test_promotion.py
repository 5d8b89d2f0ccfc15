import uuid

import numpy as np
import pytest

from ml.promotion import Comparison, Gate, compare, is_held_out, is_validation_slice, mcnemar_p_value


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


def held(fixed: int, broken: int, count: int = 100) -> Comparison:
    return Comparison(count, 0.8, 0.8 + (fixed - broken) / count, fixed, broken)


@pytest.mark.parametrize(
    "mnist_result, held_result, passes, why",
    [
        (mnist(0.997, 0.9962), held(10, 1), True, "10 fixed, 1 broken"),
        (mnist(0.997, 0.9960), held(6, 0), True, "p = 0.0156"),  # exactly at the MNIST limit
        (mnist(0.997, 0.9959), held(30, 0), False, "MNIST test accuracy drops 0.11 points"),
        (mnist(0.997, 0.9970), held(3, 3), False, "fixes no more held-out drawings than it breaks"),
        (mnist(0.997, 0.9970), held(5, 2), False, "not significant at 0.1"),
        (mnist(0.997, 0.9970), held(4, 0), True, "p = 0.0625"),
        (mnist(0.997, 0.9970), held(3, 0), False, "p = 0.125"),
        (mnist(0.997, 0.9970), held(30, 0, count=49), False, "only 49 held-out drawings"),
    ],
)
def test_default_gate(mnist_result, held_result, passes, why):
    passed, reason = Gate().decide(mnist_result, held_result)
    assert passed is passes and why in reason


def test_mcnemar_p_value_is_the_exact_binomial_tail():
    assert mcnemar_p_value(0, 0) == 1.0
    assert mcnemar_p_value(5, 0) == pytest.approx(1 / 32)
    assert mcnemar_p_value(5, 2) == pytest.approx(29 / 128)  # C(7,5)+C(7,6)+C(7,7) = 29


def test_gate_thresholds_are_configurable():
    lenient = Gate(max_mnist_drop=0.01, min_held_out=10, significance=0.5)
    assert lenient.decide(mnist(0.997, 0.990), held(5, 2, count=20))[0]
    assert not Gate().decide(mnist(0.997, 0.990), held(5, 2, count=20))[0]
    assert not Gate(significance=0.05).decide(mnist(0.997, 0.997), held(4, 0))[0]


def test_validation_slice_is_independent_of_the_held_out_split():
    ids = [uuid.UUID(int=i) for i in range(4_000)]
    held_out = np.array([is_held_out(i, 20) for i in ids])
    validation = np.array([is_validation_slice(i, 20) for i in ids])
    assert 0.17 < validation[~held_out].mean() < 0.23
    assert validation == pytest.approx(np.array([is_validation_slice(str(i), 20) for i in ids]))


def test_held_out_side_depends_on_the_id_only_and_matches_the_percentage():
    ids = [uuid.UUID(int=i) for i in range(2_000)]
    first = [is_held_out(i, 20) for i in ids]
    assert first == [is_held_out(str(i), 20) for i in ids]
    assert 0.17 < np.mean(first) < 0.23
    assert not any(is_held_out(i, 0) for i in ids) and all(is_held_out(i, 100) for i in ids)
