import numpy as np
import pytest

from ml.metrics import classification_report, confusion_matrix, roc_auc


def test_confusion_matrix_rows_are_true_labels():
    matrix = confusion_matrix(np.array([0, 0, 1, 2]), np.array([0, 1, 1, 2]), classes=3)
    assert matrix.tolist() == [[1, 1, 0], [0, 1, 0], [0, 0, 1]]


def test_auc_of_perfect_reversed_and_tied_scores():
    positives = np.array([0, 0, 1, 1])
    assert roc_auc(np.array([0.1, 0.2, 0.8, 0.9]), positives) == 1.0
    assert roc_auc(np.array([0.9, 0.8, 0.2, 0.1]), positives) == 0.0
    assert roc_auc(np.array([0.5, 0.5, 0.5, 0.5]), positives) == 0.5
    assert roc_auc(np.array([0.1, 0.4, 0.35, 0.8]), positives) == pytest.approx(0.75)


def test_report_counts_errors_and_macro_scores():
    labels = np.arange(10).repeat(2)
    probabilities = np.eye(10)[labels] * 0.9 + 0.01
    probabilities[0] = np.eye(10)[1] * 0.9 + 0.01  # one 0 read as 1
    report = classification_report(labels, probabilities)
    assert report["errors"] == 1
    assert report["accuracy"] == pytest.approx(19 / 20)
    assert report["per_class"]["0"]["recall"] == pytest.approx(0.5)
    assert report["per_class"]["1"]["precision"] == pytest.approx(2 / 3)
    assert report["confusion_matrix"][0][1] == 1
    assert 0.9 < report["macro_f1"] < 1.0
