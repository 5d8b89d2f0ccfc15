"""The one metrics layout, and how older metrics files are read through it."""
import numpy as np

from ml.artifacts import SHIPPED_DIR, read_metrics
from ml.report import HELD_OUT, MNIST_TEST, Report, data_source, evaluation, nondigit_evaluation

OLD_RETRAINED = {
    "version": "ft-20261124-041535", "architecture": "default", "parameters": 141098, "parent": "default-1",
    "created": "2026-11-24T04:17:00+00:00", "command": "python manage.py retrain", "config": {"epochs": 3},
    "data": {"mnist_train": 55000, "drawings": 393, "drawing_repeats": 16, "held_out_drawings": 107},
    "epochs_run": 3, "training_seconds": 142.0, "history": {"loss": [0.1, 0.05, 0.04]},
    "test": {"accuracy": 0.9966, "count": 10000}, "held_out": {"count": 107, "accuracy": 0.9439},
    "comparison": {"active_version": "default-1"}, "promotion": {"promoted": True, "reason": "ok"},
    "training_drawings": ["a"], "held_out_drawings": ["b"],
}


def test_an_old_training_report_reads_in_the_new_layout():
    report = Report.from_dict(read_metrics(SHIPPED_DIR))
    assert report.kind == "trained" and report.accuracy(MNIST_TEST) > 0.99
    assert report.data["mnist_train"]["count"] == 55_000
    assert report.training["history"]["val_loss"]


def test_an_old_retraining_report_reads_in_the_new_layout():
    report = Report.from_dict(OLD_RETRAINED)
    assert report.kind == "retrained" and report.parent == "default-1"
    assert report.accuracy(MNIST_TEST) == 0.9966 and report.accuracy(HELD_OUT) == 0.9439
    assert report.data["drawings"]["count"] == 393
    assert report.retraining["training_drawings"] == ["a"] and report.retraining["promotion"]["promoted"]
    assert Report.from_dict(report.to_dict()) == report  # the new layout reads back unchanged


def test_evaluation_counts_refused_digits_and_calibration():
    labels = np.array([0, 1, 1, 0])
    probabilities = np.zeros((4, 10))
    probabilities[:, :2] = [[0.9, 0.1], [0.2, 0.8], [0.6, 0.4], [0.7, 0.3]]
    figures = evaluation(labels, probabilities, digit_scores=np.array([0.9, 0.1, 0.8, 0.95]), digit_threshold=0.5)
    assert figures["accuracy"] == 0.75 and figures["refused"] == 0.25
    assert 0 < figures["ece"] < 1
    assert nondigit_evaluation(np.array([0.1, 0.2, 0.9]), 0.5)["refused"] == 2 / 3


def test_data_sources_are_identified_by_checksum():
    images = np.zeros((3, 28, 28), np.uint8)
    assert data_source(images, np.array([1, 2, 3]))["sha256"] != data_source(images, np.array([1, 2, 4]))["sha256"]


def test_figures_that_could_not_be_measured_are_stored_as_null():
    report = Report.from_dict(OLD_RETRAINED)
    report.evaluations["tiny"] = {"macro_auc_ovr": float("nan"), "accuracy": 1.0}
    stored = report.to_dict()
    assert stored["evaluations"]["tiny"] == {"macro_auc_ovr": None, "accuracy": 1.0}
