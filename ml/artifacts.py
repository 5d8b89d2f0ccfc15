"""Where a model version's files live and what they are called.

A version directory holds the Keras model (to fine-tune), the `.tflite` export (to serve), the metrics
file written by the training run, and its plots. The shipped model is the one in `ml/artifacts/`.
"""
import hashlib
import json
import shutil
import tempfile
from pathlib import Path

SHIPPED_DIR = Path(__file__).resolve().parent / "artifacts"
KERAS_MODEL = "model.keras"
TFLITE_MODEL = "model.tflite"
LINE_MODEL = "line.tflite"  # the number reader's line model (ml.numbers.train_lines): one for all versions
LINE_REPORT = "line.json"
METRICS = "metrics.json"
CURVES_PLOT = "training_curves.png"
CONFUSION_PLOT = "confusion_matrix.png"
RELIABILITY_PLOT = "reliability.png"


def read_metrics(directory: Path) -> dict:
    return json.loads((Path(directory) / METRICS).read_text())


def write_metrics(directory: Path, metrics: dict) -> None:
    (Path(directory) / METRICS).write_text(json.dumps(metrics, indent=2) + "\n")


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def new_work_directory(final: Path) -> Path:
    """An empty sibling of `final` to write a model version into before it is moved into place."""
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".partial", dir=final.parent))


def move_into_place(work: Path, final: Path, *, replace: bool = False) -> None:
    """Rename a finished work directory to `final` in one step (same filesystem, so atomic).

    With `replace`, an existing `final` is swapped out and deleted; otherwise it is an error to clobber it.
    """
    work, final = Path(work), Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    if final.exists():
        if not replace:
            raise FileExistsError(f"{final} already exists")
        old = Path(tempfile.mkdtemp(prefix=f".{final.name}.", suffix=".old", dir=final.parent))
        final.rename(old / final.name)
        work.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        work.rename(final)
