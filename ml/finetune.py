"""Teach a model from corrected drawings without forgetting MNIST.

Fine-tuning continues from the active model at a low learning rate on MNIST training images mixed
with the corrected drawings (oversampled so a few dozen corrections are not drowned by 55,000 MNIST
digits), with the same augmentation as the original training. `from_scratch` trains a fresh network
on the same mix instead. Validation (for early stopping) is MNIST's own held-out split: the held-out
drawings are kept for the promotion decision alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass
class FinetuneConfig:
    epochs: int = 3  # fine-tuning needs few passes; from scratch, use the training default (30)
    batch_size: int = 128
    learning_rate: float = 1e-4  # peak; 1/20 of the original training's, to adjust rather than relearn
    drawing_share: float = 0.1  # drawings are repeated until they make up about this share of an epoch
    mnist_limit: int | None = None  # mix in only the first N MNIST training images (quick runs, tests)
    from_scratch: bool = False
    architecture: str = "default"  # used when training from scratch
    seed: int = 42


def mix(mnist_x: np.ndarray, mnist_y: np.ndarray, drawings_x: np.ndarray, drawings_y: np.ndarray, share: float):
    """MNIST inputs plus the drawings, repeated to make up about `share` of the result.

    Returns (x, y, repeats). Augmentation makes each repeat of a drawing a different variation.
    """
    if len(drawings_x) == 0:
        return mnist_x, mnist_y, 0
    repeats = max(1, round(share * len(mnist_x) / ((1 - share) * len(drawings_x))))
    x = np.concatenate([mnist_x, np.repeat(drawings_x, repeats, axis=0)]).astype(np.float32)
    y = np.concatenate([mnist_y, np.repeat(drawings_y, repeats)])
    return x, y, repeats


def finetune(
    base_model: Path | None,
    train: tuple[np.ndarray, np.ndarray],
    validation: tuple[np.ndarray, np.ndarray],
    config: FinetuneConfig,
    log=print,
):
    """Returns the trained candidate (a Keras model) and its history. `base_model` is a `.keras` file.

    TensorFlow is imported here, not at module level, so planning a retrain (`--dry-run`) stays fast.
    """
    from ml.train import TrainConfig, fit  # imports TensorFlow

    import keras
    from ml.model import build_model

    keras.utils.set_random_seed(config.seed)
    if config.from_scratch or base_model is None:
        model = build_model(config.architecture)
    else:
        model = keras.models.load_model(base_model, compile=False)
    train_config = TrainConfig(
        epochs=config.epochs,
        batch_size=config.batch_size,
        peak_learning_rate=config.learning_rate,
        patience=max(2, config.epochs),
        seed=config.seed,
    )
    history = fit(model, train, validation, train_config, log)
    return model, history
