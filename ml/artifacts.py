"""Where a model version's files live and what they are called.

A version directory holds the Keras model (to fine-tune), the `.tflite` export (to serve), the metrics
file written by the training run, and its plots. The shipped model is the one in `ml/artifacts/`.
"""
import hashlib
import json
from pathlib import Path

SHIPPED_DIR = Path(__file__).resolve().parent / "artifacts"
KERAS_MODEL = "model.keras"
TFLITE_MODEL = "model.tflite"
METRICS = "metrics.json"
CURVES_PLOT = "training_curves.png"
CONFUSION_PLOT = "confusion_matrix.png"


def read_metrics(directory: Path) -> dict:
    return json.loads((Path(directory) / METRICS).read_text())


def write_metrics(directory: Path, metrics: dict) -> None:
    (Path(directory) / METRICS).write_text(json.dumps(metrics, indent=2) + "\n")


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
