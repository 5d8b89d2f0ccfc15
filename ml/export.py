"""Export a Keras model to `.tflite` for LiteRT serving, and prove the export is faithful.

What is exported is the network's logits (`ml.model.logits_model`): serving applies the temperature and
the softmax itself (`ml.calibration`), so one exported file serves whatever calibration a version records.
"""
from pathlib import Path

import numpy as np

from ml.predictor import Predictor


def export_tflite(model, path: Path) -> Path:
    """Float32 export of the logits with a dynamic batch dimension (no quantisation: answers must match Keras)."""
    from ml.model import logits_model

    logits_model(model).export(str(path), format="litert", verbose=False)
    return Path(path)


def check_export(model, tflite_path: Path, images: np.ndarray, batch_size: int = 500) -> dict:
    """Compare Keras and LiteRT on `images` (N, 28, 28): label agreement and the largest logit gap."""
    from ml.model import logits_model

    keras_logits = logits_model(model).predict(images[..., None], batch_size=batch_size, verbose=0)
    lite_logits = Predictor(tflite_path).raw(images)
    return {
        "images": int(len(images)),
        "label_agreement": float((keras_logits.argmax(1) == lite_logits.argmax(1)).mean()),
        "max_logit_difference": float(np.abs(keras_logits - lite_logits).max()),
    }
