"""The model the site ships, measured again here through LiteRT and the serving pipeline."""
import pytest

from ml.artifacts import SHIPPED_DIR, read_metrics
from ml.evaluate import CANVAS_STYLES, evaluate

BAR = 0.995


@pytest.fixture(scope="module")
def measured(predictor, mnist_test):
    images, labels = mnist_test
    return evaluate(predictor, images, labels, styles={})


def test_metrics_file_was_written_by_a_full_training_run():
    metrics = read_metrics(SHIPPED_DIR)
    assert metrics["architecture"] == "default"
    assert metrics["data"] == {"train": 55_000, "validation": 5_000, "test": 10_000}
    assert metrics["test"]["accuracy"] >= BAR
    assert metrics["export_check"]["label_agreement"] == 1.0
    assert len(metrics["test"]["confusion_matrix"]) == 10
    assert (SHIPPED_DIR / "training_curves.png").is_file() and (SHIPPED_DIR / "confusion_matrix.png").is_file()


def test_all_10000_test_digits_through_the_predictor_clear_the_bar(measured):
    assert measured["MNIST test, through the pipeline"] >= BAR


def test_predictor_reproduces_the_accuracy_in_the_metrics_file(measured):
    assert measured["MNIST test, through the pipeline"] == pytest.approx(read_metrics(SHIPPED_DIR)["test"]["accuracy"], abs=1e-4)


def test_pipeline_costs_at_most_two_tenths_of_a_point_on_mnist(measured):
    assert abs(measured["MNIST test, through the pipeline"] - measured["MNIST test, raw 28x28"]) <= 0.002


@pytest.mark.parametrize("style", sorted(CANVAS_STYLES))
def test_canvas_style_drawings_are_read_well(predictor, mnist_test, style):
    images, labels = mnist_test[0][:1000], mnist_test[1][:1000]
    accuracy = evaluate(predictor, images, labels, styles={style: CANVAS_STYLES[style]})[style]
    assert accuracy >= 0.98, f"{style}: {100 * accuracy:.1f}%"
