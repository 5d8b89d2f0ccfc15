"""The metrics report: one layout for every model version, whether trained, retrained or imported.

The run that makes a model writes it (`metrics.json` beside the model), the version's database row keeps
a copy, and the admin and the commands read it through `Report`. Every figure in it is measured on the
weights actually kept. `Report.from_dict` also reads the two older layouts (training's and retraining's
before schema 2), so nothing else needs to know they existed.

Layout (schema 2):
- `version`, `kind` (trained | retrained | imported), `created`, `command`, `code_revision`, `parent`
- `architecture`, `parameters`, `config` (the run's options)
- `data`: per source, `{"count": N, "sha256": "..."}` (checksum of the images and labels used)
- `evaluations`: per validation set, the figures of `evaluation()`; `mnist_test` is always there
- `training`: `epochs_run`, `best_epoch`, `seconds`, `history` (per-epoch curves)
- `serving`: `output`, `temperature` and `digit_threshold` (None for models without a not-a-digit output)
- `not_a_digit`: the threshold and its measured rates over all validation digits and non-digits, AUROC
- `plots`: plot name → file name beside the model; `environment`; `export_check`
- `retraining`: for retrained versions, the comparison with the active model, the promotion decision and
  the ids of the drawings trained on and held out
"""
from __future__ import annotations

import hashlib
import math
import platform
import subprocess
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ml.metrics import classification_report, expected_calibration_error

SCHEMA = 2
KINDS = ("trained", "retrained", "imported")
MNIST_TEST = "mnist_test"
HELD_OUT = "held_out"


@dataclass
class Report:
    version: str
    kind: str
    created: str
    architecture: str
    parameters: int
    command: str = ""
    code_revision: str | None = None
    parent: str | None = None
    config: dict = field(default_factory=dict)
    data: dict[str, dict] = field(default_factory=dict)
    evaluations: dict[str, dict] = field(default_factory=dict)
    training: dict = field(default_factory=dict)
    serving: dict = field(default_factory=lambda: {"output": "probabilities", "temperature": 1.0, "digit_threshold": None})
    not_a_digit: dict = field(default_factory=dict)  # threshold, refused digits / non-digits, AUROC of digit_score
    plots: dict[str, str] = field(default_factory=dict)
    environment: dict = field(default_factory=dict)
    export_check: dict = field(default_factory=dict)
    retraining: dict = field(default_factory=dict)
    schema: int = SCHEMA

    def to_dict(self) -> dict:
        """JSON-ready: a figure that could not be measured (NaN, e.g. an AUC without positives) is None."""
        return _finite(asdict(self))

    @classmethod
    def from_dict(cls, raw: dict) -> "Report":
        """Any stored metrics (schema 2, or the older training and retraining layouts)."""
        if raw.get("schema") != SCHEMA:
            raw = _upgrade(raw)
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in raw.items() if key in known})

    def accuracy(self, evaluation: str) -> float | None:
        return (self.evaluations.get(evaluation) or {}).get("accuracy")


def evaluation(
    labels: np.ndarray,
    probabilities: np.ndarray,
    *,
    digit_scores: np.ndarray | None = None,
    digit_threshold: float | None = None,
) -> dict:
    """Figures for one labelled set of real digits: accuracy, macro figures, confusion matrix, the expected
    calibration error of the stated confidence, and, for models that can say "not a digit", the share of
    these digits refused (answered "not a digit")."""
    report = classification_report(labels, probabilities)
    report["ece"] = expected_calibration_error(labels, probabilities)
    report["refused"] = _refused(digit_scores, digit_threshold)
    return report


def nondigit_evaluation(digit_scores: np.ndarray, digit_threshold: float) -> dict:
    """Figures for a set of drawings that are not digits: how many the model refuses."""
    return {"count": int(len(digit_scores)), "refused": _refused(digit_scores, digit_threshold), "nondigits": True}


def _finite(value):
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _refused(digit_scores: np.ndarray | None, threshold: float | None) -> float | None:
    if digit_scores is None or threshold is None or len(digit_scores) == 0:
        return None
    return float((np.asarray(digit_scores) < threshold).mean())


def version_name(prefix: str) -> str:
    """A version's name: what made it and when (UTC), e.g. default-20261125-190102."""
    return f"{prefix}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}"


def checksum(*arrays: np.ndarray) -> str:
    """SHA-256 of the arrays' bytes, to record exactly which data a model was trained on."""
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def data_source(images: np.ndarray, labels: np.ndarray) -> dict:
    return {"count": int(len(images)), "sha256": checksum(images, labels)}


def code_revision(repository: Path = Path(__file__).resolve().parents[1]) -> str | None:
    """The git commit the code ran from, with "-dirty" if it had uncommitted changes; None outside git."""
    try:
        run = lambda *args: subprocess.run(  # noqa: E731
            ["git", *args], cwd=repository, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        revision = run("rev-parse", "HEAD")
        return revision + ("-dirty" if run("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.SubprocessError):
        return None


def environment(**versions: str) -> dict:
    return {"python": platform.python_version(), "numpy": np.__version__, "platform": platform.platform(), **versions}


# --- older layouts ----------------------------------------------------------------------------------


def _upgrade(old: dict) -> dict:
    """Schema 1: `test` (MNIST test figures), `validation`, `data` as counts, `history` at the top level;
    retrained versions also had `held_out`, `comparison`, `promotion` and the drawing id lists."""
    retrained = "comparison" in old or "promotion" in old
    evaluations = {MNIST_TEST: old.get("test") or {}}
    if old.get("held_out"):
        evaluations[HELD_OUT] = old["held_out"]
    if (old.get("validation") or {}).get("accuracy") is not None:
        evaluations["mnist_validation"] = {"accuracy": old["validation"]["accuracy"], "max_over_epochs": True}
    counts = old.get("data") or {}
    names = {"train": "mnist_train", "mnist_train": "mnist_train", "drawings": "drawings", "validation": "mnist_validation"}
    data = {names[key]: {"count": value, "sha256": None} for key, value in counts.items() if key in names}
    retraining = {}
    if retrained:
        retraining = {key: old.get(key) for key in ("comparison", "promotion", "training_drawings",
                                                   "held_out_drawings", "skipped_drawings") if key in old}
    return {
        "schema": SCHEMA,
        "version": old.get("version") or "unnamed",
        "kind": "retrained" if retrained else "trained",
        "created": old.get("created") or "",
        "architecture": old.get("architecture") or "",
        "parameters": old.get("parameters") or 0,
        "command": old.get("command") or "",
        "parent": old.get("parent"),
        "config": old.get("config") or {},
        "data": data,
        "evaluations": evaluations,
        "training": {
            "epochs_run": old.get("epochs_run"),
            "best_epoch": old.get("best_epoch"),
            "seconds": old.get("training_seconds"),
            "history": old.get("history") or {},
        },
        "plots": {"training_curves": "training_curves.png", "confusion_matrix": "confusion_matrix.png"},
        "environment": old.get("environment") or {},
        "export_check": old.get("export_check") or {},
        "retraining": retraining,
    }
