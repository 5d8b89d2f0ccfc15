"""Export a Keras model to `.tflite` for LiteRT serving, and prove the export is faithful."""
from pathlib import Path

import numpy as np

from ml.predictor import Predictor


def export_tflite(model, path: Path) -> Path:
    """Float32 export with a dynamic batch dimension (no quantisation: answers must match Keras)."""
    model.export(str(path), format="litert", verbose=False)
    return Path(path)


def check_export(model, tflite_path: Path, images: np.ndarray, batch_size: int = 500) -> dict:
    """Compare Keras and LiteRT on `images` (N, 28, 28): label agreement and the largest probability gap."""
    predictor = Predictor(tflite_path)
    keras_probs = model.predict(images[..., None], batch_size=batch_size, verbose=0)
    lite_probs = predictor.probabilities(images)
    return {
        "images": int(len(images)),
        "label_agreement": float((keras_probs.argmax(1) == lite_probs.argmax(1)).mean()),
        "max_probability_difference": float(np.abs(keras_probs - lite_probs).max()),
    }
