"""The network architectures, by name.

`seed` is the Flask demo's CNN, kept as a named baseline. `default` is what the site ships: two
conv stages with batch normalisation, small enough to train on 2 CPU cores: 10 epochs over ~112,000
images took about 14 minutes on 2 idle cores in two runs (62 for the shipped model, on 2 busy ones).
"""
import keras
from keras import layers

NUM_CLASSES = 11  # the ten digits, then "not a digit" (ml.calibration.NOT_A_DIGIT)
INPUT_SHAPE = (28, 28, 1)
LOGITS = "logits"  # the layer whose output is exported for serving (ml.calibration applies the softmax)


def build_seed() -> keras.Model:
    """The seed demo's CNN (225,034 parameters, L2 1e-3, He initialisation) with an eleventh output: not a digit."""
    reg = keras.regularizers.L2(1e-3)
    init = "he_normal"
    return keras.Sequential(
        [
            keras.Input(INPUT_SHAPE),
            layers.Conv2D(32, 3, activation="relu", kernel_initializer=init, kernel_regularizer=reg),
            layers.MaxPooling2D(),
            layers.Conv2D(64, 3, activation="relu", kernel_initializer=init, kernel_regularizer=reg),
            layers.MaxPooling2D(),
            layers.Dropout(0.25),
            layers.Flatten(),
            layers.Dense(128, activation="relu", kernel_initializer=init, kernel_regularizer=reg),
            layers.Dropout(0.5),
            layers.Dense(NUM_CLASSES, name=LOGITS),
            layers.Softmax(),
        ],
        name="seed",
    )


def _conv_bn(x, filters: int, kernel: int = 3, padding: str = "same"):
    x = layers.Conv2D(filters, kernel, padding=padding, use_bias=False, kernel_initializer="he_normal")(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def build_default() -> keras.Model:
    """Conv32-Conv32-Pool, Conv64-Conv64-Pool, Conv128 → global average → Dense11, all with batch norm."""
    inputs = keras.Input(INPUT_SHAPE)
    x = _conv_bn(inputs, 32)
    x = _conv_bn(x, 32)
    x = layers.MaxPooling2D()(x)
    x = layers.Dropout(0.1)(x)
    x = _conv_bn(x, 64)
    x = _conv_bn(x, 64)
    x = layers.MaxPooling2D()(x)
    x = layers.Dropout(0.2)(x)
    x = _conv_bn(x, 128, padding="valid")
    x = layers.GlobalAveragePooling2D()(x)
    x = layers.Dropout(0.3)(x)
    logits = layers.Dense(NUM_CLASSES, name=LOGITS)(x)
    return keras.Model(inputs, layers.Softmax()(logits), name="default")


ARCHITECTURES = {"seed": build_seed, "default": build_default}


def logits_model(model: keras.Model) -> keras.Model:
    """The same network without its final softmax: what is exported, so serving can calibrate."""
    return keras.Model(model.inputs, model.get_layer(LOGITS).output, name=f"{model.name}_logits")


def build_model(architecture: str) -> keras.Model:
    try:
        return ARCHITECTURES[architecture]()
    except KeyError:
        raise ValueError(f"unknown architecture {architecture!r}; choose one of {sorted(ARCHITECTURES)}") from None
