"""The training mix: every source, and how a limit shrinks each of them."""
import numpy as np
import pytest

from ml.calibration import NOT_A_DIGIT
from ml.datasets import MixConfig, training_mix

SMALL = MixConfig(mnist_scans=40, writer_variants=1, style_digits=40, synthetic_negatives=60)


@pytest.fixture(scope="module")
def mnist_inputs(mnist_test):
    """MNIST digits as model inputs (the pipeline leaves an MNIST image as it is)."""
    images, labels = mnist_test
    return (images[:300] / 255.0).astype(np.float32), labels[:300].astype(np.int64)


def counts(mix) -> dict[str, int]:
    return {name: source["count"] for name, source in mix.sources.items()}


@pytest.mark.slow  # ~5-9 s: 2,880 writers' digits through the pipeline, notMNIST loaded
def test_every_source_is_mixed_in_with_its_labels(mnist_inputs):
    mix = training_mix(*mnist_inputs, SMALL, seed=0, log=lambda line: None)

    assert counts(mix) == {"mnist_train": 300, "mnist_scans": 40, "optdigits_writers": 2_880, "styles": 40,
                           "omniglot_train": 495, "notmnist_train": 4_804, "synthetic_negatives": 60}
    assert len(mix.x) == len(mix.y) == sum(counts(mix).values()) and mix.x.shape[1:] == (28, 28)
    not_digits = 495 + 4_804 + 60
    assert (mix.y[-not_digits:] == NOT_A_DIGIT).all() and (mix.y[:-not_digits] < NOT_A_DIGIT).all()


@pytest.mark.slow
def test_a_limit_caps_every_source_and_keeps_each_image_with_its_label(mnist_inputs):
    mix = training_mix(*mnist_inputs, SMALL, seed=0, log=lambda line: None, limit=50)

    assert counts(mix) == {"mnist_train": 50, "mnist_scans": 40, "optdigits_writers": 50, "styles": 40,
                           "omniglot_train": 50, "notmnist_train": 50, "synthetic_negatives": 50}
    mnist_x, mnist_y = mnist_inputs
    kept = [np.flatnonzero((mnist_x == image).all(axis=(1, 2)))[0] for image in mix.x[:50]]
    assert kept == sorted(kept) and (mix.y[:50] == mnist_y[kept]).all()  # the chosen digits keep their labels
    assert (mix.y[-150:] == NOT_A_DIGIT).all() and (mix.y[:-150] != NOT_A_DIGIT).all()


def test_real_letters_are_left_out_at_zero(mnist_inputs):
    mix = training_mix(*mnist_inputs, MixConfig(mnist_scans=0, writer_variants=0, style_digits=0,
                                                         synthetic_negatives=0, real_negatives=0), seed=0,
                       log=lambda line: None)

    assert counts(mix) == {"mnist_train": 300}
