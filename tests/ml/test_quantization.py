"""The float-against-quantized comparison measures exactly what metrics.json reports: the shipped float
model, measured again through `ml.quantization`, gives every figure of its metrics.json; the gate looks
at every accuracy and calibration error and at nothing else."""
import math
from dataclasses import replace

import pytest

from ml import artifacts, quantization
from ml.calibration import Calibration
from ml.data import load_mnist
from ml.report import Report

pytestmark = pytest.mark.slow  # builds every validation set (~20 s) and measures 25,000 images


@pytest.fixture(scope="module")
def shipped_figures(mnist_dir):
    report = Report.from_dict(artifacts.read_metrics(artifacts.SHIPPED_DIR))
    data = quantization.EvaluationData.build(load_mnist(mnist_dir))
    figures = quantization.measure(artifacts.SHIPPED_DIR / artifacts.TFLITE_MODEL,
                                   Calibration.from_serving(report.serving), data)
    return report, figures


def test_the_shipped_model_measured_again_gives_every_figure_of_its_metrics_json(shipped_figures):
    report, figures = shipped_figures

    assert set(figures["evaluations"]) == set(report.evaluations)
    for name, recorded in report.evaluations.items():
        for figure in ("count", "accuracy", "ece", "refused", "macro_f1"):
            if recorded.get(figure) is not None:
                assert math.isclose(figures["evaluations"][name][figure], recorded[figure], abs_tol=1e-9), (name, figure)
    for figure in ("refused_digits", "refused_nondigits", "auroc"):
        assert math.isclose(figures["not_a_digit"][figure], report.not_a_digit[figure], abs_tol=1e-9), figure


def test_the_gate_passes_the_same_figures_and_fails_a_gated_figure_moved_past_a_tenth_of_a_point(shipped_figures):
    _, figures = shipped_figures
    rows = quantization.compare(figures, figures)
    assert rows and quantization.gate(rows) == (True, [])

    moved = [replace(row, quantized_value=row.float_value + 0.0011) if (row.evaluation, row.figure) in {
        ("writers_scans_16", "accuracy"), ("doodles_validation", "refused")} else row for row in rows]
    passed, failing = quantization.gate(moved)
    assert not passed
    assert [(row.evaluation, row.figure) for row in failing] == [("writers_scans_16", "accuracy")]
