"""Make MNIST look like canvas drawings: random rotation, scale, shear, shift and stroke thickness.

Canvas strokes are thicker and more uniform than MNIST's pen strokes, and people draw slightly tilted,
off-size and off-centre digits; the preprocessing re-centres and re-scales, but not perfectly. Runs on
whole batches inside tf.data, so it costs a few percent of a training step.
"""
from dataclasses import dataclass
import math

import tensorflow as tf


@dataclass(frozen=True)
class AugmentConfig:
    rotation_degrees: float = 12.0  # uniform in ±this
    scale_range: tuple[float, float] = (0.85, 1.12)  # uniform zoom factor
    shear: float = 0.15  # uniform horizontal shear factor in ±this
    shift_pixels: float = 2.5  # uniform shift in ±this, each axis
    thicken_prob: float = 0.45  # share of digits whose strokes are dilated (by a random amount)
    thin_prob: float = 0.15  # share whose strokes are eroded
    saturate_prob: float = 0.3  # share made more uniform in intensity, like a canvas brush


def _affine_transforms(batch: int, config: AugmentConfig, size: int = 28) -> tf.Tensor:
    """Per-image output→input projective transforms (8 numbers each) about the image centre."""
    angle = tf.random.uniform([batch], -1.0, 1.0) * (config.rotation_degrees * math.pi / 180.0)
    scale = tf.random.uniform([batch], *config.scale_range)
    shear = tf.random.uniform([batch], -config.shear, config.shear)
    shift_x = tf.random.uniform([batch], -config.shift_pixels, config.shift_pixels)
    shift_y = tf.random.uniform([batch], -config.shift_pixels, config.shift_pixels)
    cos, sin = tf.cos(angle), tf.sin(angle)
    # Inverse of (scale · rotation · shear): maps an output pixel back to where it comes from.
    a0, a1 = cos / scale, (sin + shear * cos) / scale
    b0, b1 = -sin / scale, (cos - shear * sin) / scale
    centre = (size - 1) / 2.0
    cx, cy = centre + shift_x, centre + shift_y
    a2 = centre - (a0 * cx + a1 * cy)
    b2 = centre - (b0 * cx + b1 * cy)
    zeros = tf.zeros([batch])
    return tf.stack([a0, a1, a2, b0, b1, b2, zeros, zeros], axis=1)


def _per_image(batch: int, probability: float) -> tf.Tensor:
    """A (batch, 1, 1, 1) mixing weight: 0 for most images, a random strength for `probability` of them."""
    chosen = tf.cast(tf.random.uniform([batch]) < probability, tf.float32)
    strength = tf.random.uniform([batch], 0.3, 1.0)
    return tf.reshape(chosen * strength, [batch, 1, 1, 1])


def augment_batch(images: tf.Tensor, config: AugmentConfig = AugmentConfig()) -> tf.Tensor:
    """images: float32 (B, 28, 28, 1) in [0, 1] → augmented images of the same shape."""
    batch = tf.shape(images)[0]
    images = tf.raw_ops.ImageProjectiveTransformV3(
        images=images,
        transforms=_affine_transforms(batch, config),
        output_shape=tf.shape(images)[1:3],
        fill_value=0.0,
        interpolation="BILINEAR",
        fill_mode="CONSTANT",
    )
    dilated = tf.nn.max_pool2d(images, 3, 1, "SAME")
    eroded = -tf.nn.max_pool2d(-images, 2, 1, "SAME")
    images = images + _per_image(batch, config.thicken_prob) * (dilated - images)
    images = images + _per_image(batch, config.thin_prob) * (eroded - images)
    saturated = tf.minimum(images * 1.8, 1.0)
    images = images + _per_image(batch, config.saturate_prob) * (saturated - images)
    return tf.clip_by_value(images, 0.0, 1.0)
