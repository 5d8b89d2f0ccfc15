"""The line model: a small CNN read with CTC, trained on synthetic numbers (`ml.numbers.line_data`).

Uses TensorFlow; serving reads its LiteRT export through `ml.numbers.lines`.
"""
from __future__ import annotations

import numpy as np

from ml.numbers.lines import BLANK, HEIGHT, STRIDE, WIDTH, decode


def build(seed: int = 0):
    """The network: (24, 160, 1) ink → logits over ten digits and the blank for each of 40 frames."""
    import keras
    from keras import layers

    keras.utils.set_random_seed(seed)
    inputs = keras.Input((HEIGHT, WIDTH, 1))
    x = inputs
    for filters, pool in ((16, (2, 2)), (32, (2, 2)), (48, None), (48, (2, 1))):
        x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
        x = layers.BatchNormalization()(x)
        x = layers.ReLU()(x)
        if pool:
            x = layers.MaxPooling2D(pool)(x)
    x = layers.Permute((2, 1, 3))(x)  # (frames, rows, channels)
    x = layers.Reshape((WIDTH // STRIDE, (HEIGHT // 8) * 48))(x)
    for _ in range(2):
        x = layers.Conv1D(96, 5, padding="same", activation="relu")(x)
        x = layers.Dropout(0.2)(x)
    logits = layers.Dense(BLANK + 1)(x)
    return keras.Model(inputs, logits, name="line_model")


def train(model, xs, labels, lengths, *, epochs: int, batch_size: int = 64, seed: int = 0, on_epoch=None):
    """CTC training with Adam and a cosine learning-rate decay; `xs` uint8 (N, 24, 160), `labels` (N, 8)
    padded with -1, `lengths` (N,). `on_epoch(epoch, mean loss, model)` is called after each pass."""
    import keras
    import tensorflow as tf

    frames = WIDTH // STRIDE
    optimizer = keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(2e-3, epochs * (len(xs) // batch_size)))

    @tf.function(reduce_retracing=True)
    def step(x, y, n):
        with tf.GradientTape() as tape:
            logits = model(x, training=True)
            loss = tf.reduce_mean(tf.nn.ctc_loss(
                labels=tf.maximum(y, 0), logits=logits, label_length=n,
                logit_length=tf.fill([tf.shape(x)[0]], frames), logits_time_major=False, blank_index=BLANK))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(grads, model.trainable_variables))
        return loss

    rng = np.random.default_rng(seed)
    for epoch in range(epochs):
        order = rng.permutation(len(xs))
        losses = []
        for start in range(0, len(order) - batch_size + 1, batch_size):
            chosen = order[start : start + batch_size]
            x = xs[chosen].astype(np.float32)[..., None] / 255.0
            losses.append(float(step(x, labels[chosen], lengths[chosen])))
        if on_epoch is not None:
            on_epoch(epoch + 1, float(np.mean(losses)), model)
    return model


def exact(model, xs, labels, lengths) -> float:
    """Share of lines whose greedy CTC reading is the whole label."""
    logits = model.predict(xs.astype(np.float32)[..., None] / 255.0, batch_size=256, verbose=0)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    right = 0
    for prob, label, n in zip(p, labels, lengths):
        right += decode(prob, 1.0).text == "".join(str(d) for d in label[:n])
    return right / len(xs)
