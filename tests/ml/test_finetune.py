"""Fine-tuning's parts: batch norm kept from the parent, and the fine-tuned weights mixed with the parent's."""
import numpy as np
import pytest

from ml import artifacts
from ml.finetune import KEEP_FINE_TUNED, WEIGHT_SHARES, FinetuneConfig, finetune, freeze_batch_norm, mix_with_parent
from ml.model import build_model
from ml.training import TrainConfig, fit, prepare

SHIPPED_KERAS = artifacts.SHIPPED_DIR / artifacts.KERAS_MODEL


def test_frozen_batch_norm_keeps_the_parents_statistics_while_the_other_weights_learn():
    model = build_model("default")
    frozen = freeze_batch_norm(model)
    norms = [layer for layer in model.layers if layer.__class__.__name__ == "BatchNormalization"]
    before = [np.array(layer.moving_mean) for layer in norms]
    dense_before = np.array(model.get_layer("logits").kernel)

    rng = np.random.default_rng(0)
    x = rng.random((64, 28, 28), dtype=np.float32)
    y = rng.integers(0, 11, 64)
    fit(model, (x, y), (x[:16], y[:16]), TrainConfig(epochs=1, batch_size=32))

    assert frozen == len(norms) == 5
    assert all(np.array_equal(np.array(layer.moving_mean), old) for layer, old in zip(norms, before))
    assert not np.array_equal(np.array(model.get_layer("logits").kernel), dense_before)


@pytest.fixture(scope="module")
def shipped_keras():
    import keras

    return keras.models.load_model(SHIPPED_KERAS, compile=False)


def _validation(mnist_test, count):
    images, labels = mnist_test
    return prepare(images[:count]), labels[:count]


def test_mixing_keeps_mnist_within_the_allowance_when_the_fine_tuning_forgot_it(shipped_keras, mnist_test):
    parent = shipped_keras.get_weights()
    rng = np.random.default_rng(0)
    forgetful = [w + rng.normal(0, 0.5 * np.std(w), w.shape).astype(w.dtype) if w.ndim > 1 else w
                 for w in parent]  # kernels only: batch norm's statistics stay the parent's, as fine-tuning keeps them
    shipped_keras.set_weights(forgetful)
    mnist = _validation(mnist_test, 1000)
    drawings = (mnist[0][:0], mnist[1][:0])

    mixing = mix_with_parent(shipped_keras, parent, mnist, drawings, max_mnist_drop=0.3)  # 3 of the 1,000 digits

    share = mixing["share"]
    assert [t["share"] for t in mixing["tried"]] == list(WEIGHT_SHARES)
    assert mixing["tried"][0]["mnist_accuracy"] < mixing["parent_mnist_accuracy"] - 0.002  # the full fine-tuning forgot
    assert 100 * (mixing["parent_mnist_accuracy"] - mixing["mnist_accuracy"]) <= 0.3 + 1e-9
    assert share < 1.0
    assert all(np.allclose(now, share * f + (1 - share) * p, atol=1e-6)
               for now, f, p in zip(shipped_keras.get_weights(), forgetful, parent))
    shipped_keras.set_weights(parent)


def test_mixing_takes_the_share_the_validation_drawings_like_best(shipped_keras, mnist_test):
    parent = shipped_keras.get_weights()
    logits = shipped_keras.get_layer("logits")
    kernel, bias = logits.get_weights()
    eights = bias.copy()
    eights[8] += 20.0  # a "fine-tuning" that reads every drawing as 8
    logits.set_weights([kernel, eights])
    tuned = shipped_keras.get_weights()
    mnist = _validation(mnist_test, 300)
    drawings = mnist[0][:40], np.full(40, 8)  # the validation drawings are all 8s, whatever they look like

    mixing = mix_with_parent(shipped_keras, parent, mnist, drawings, max_mnist_drop=99)  # any share may lose MNIST

    assert mixing["share"] == 1.0
    assert mixing["drawings_loss"] == min(t["drawings_loss"] for t in mixing["tried"])
    assert all(np.allclose(now, t) for now, t in zip(shipped_keras.get_weights(), tuned))
    shipped_keras.set_weights(parent)


def test_the_largest_allowance_keeps_the_fine_tuned_weights_without_trying_any_mix(mnist_test):
    x, y = _validation(mnist_test, 64)
    config = FinetuneConfig(epochs=1, batch_size=32, max_mnist_validation_drop=KEEP_FINE_TUNED)
    lines = []

    _, _, mixing = finetune(SHIPPED_KERAS, (x, y), (x[:16], y[:16]), (x[16:24], y[16:24]), config, lines.append)

    assert mixing == {"share": 1.0, "max_mnist_drop": KEEP_FINE_TUNED, "tried": []}
    assert "kept as fine-tuned" in lines[-1]


@pytest.mark.parametrize("scale, letters", [(1.0, 5_000), (0.05, 250), (0.0, 0)])
def test_the_refresher_scale_shrinks_every_source_real_letters_included(scale, letters):
    refresher = FinetuneConfig(refresher_scale=scale).refresher()

    assert refresher.real_negatives == letters  # 5,000 covers all of Omniglot's 495 and notMNIST's 4,804
    assert refresher.synthetic_negatives == round(5_000 * scale) and refresher.style_digits == round(3_000 * scale)
