import numpy as np

from ml.finetune import freeze_batch_norm
from ml.model import build_model
from ml.training import TrainConfig, fit


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
