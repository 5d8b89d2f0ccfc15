"""A small but complete training run: MNIST → fit → evaluate → export → metrics → predict."""
import json

import numpy as np
import pytest

from ml import artifacts
from ml.predictor import Predictor
from ml.preprocess import to_model_input
from ml.train import main
from ml.calibration import Calibration
from ml.datasets import MixConfig
from ml.training import TrainConfig, train


@pytest.fixture(scope="module")
def run(mnist_dir, tmp_path_factory):
    output = tmp_path_factory.mktemp("model")
    lines = []
    tiny_mix = MixConfig(mnist_scans=200, writer_variants=1, style_digits=300, synthetic_negatives=300)
    config = TrainConfig(mnist_dir=str(mnist_dir), epochs=1, train_limit=3000, batch_size=32, mix=tiny_mix, validation_size=300)
    metrics = train(config, output, name="test-run", command="test", log=lines.append)
    return output, metrics, lines


def test_run_writes_model_export_metrics_and_plots(run):
    output, _, _ = run
    for name in (artifacts.KERAS_MODEL, artifacts.TFLITE_MODEL, artifacts.METRICS, artifacts.CURVES_PLOT, artifacts.CONFUSION_PLOT):
        assert (output / name).stat().st_size > 0, name


def test_metrics_file_describes_the_run(run):
    output, metrics, _ = run
    on_disk = artifacts.read_metrics(output)
    assert on_disk == json.loads(json.dumps(metrics))
    assert metrics["schema"] == 2 and metrics["version"] == "test-run" and metrics["kind"] == "trained"
    assert metrics["data"]["mnist_train"]["count"] == 3000 and len(metrics["data"]["mnist_train"]["sha256"]) == 64
    assert metrics["data"]["optdigits_writers"]["count"] == 2880 and metrics["data"]["synthetic_negatives"]["count"] == 300
    assert metrics["serving"]["output"] == "logits" and 0 < metrics["serving"]["temperature"]
    assert metrics["evaluations"]["writers_scans_16"]["count"] == 300
    assert 0 <= metrics["evaluations"]["doodles_validation"]["refused"] <= 1
    assert 0.5 <= metrics["not_a_digit"]["auroc"] <= 1
    training = metrics["training"]
    assert training["epochs_run"] == 1 and len(training["history"]["val_loss"]) == 1 and training["best_epoch"] == 1
    test = metrics["evaluations"]["mnist_test"]
    assert test["count"] == 10_000
    assert 0.5 < test["accuracy"] <= 1.0  # one epoch on 3,000 images already learns something
    assert sum(map(sum, test["confusion_matrix"])) == 10_000
    assert {"macro_precision", "macro_recall", "macro_f1", "macro_auc_ovr", "ece"} <= set(test)
    assert 0 <= test["ece"] < 1
    assert metrics["environment"]["tensorflow"]
    assert metrics["command"] == "test"


def test_export_agrees_with_keras_on_the_whole_test_set(run):
    _, metrics, _ = run
    assert metrics["export_check"]["images"] == 10_000
    assert metrics["export_check"]["label_agreement"] >= 0.999


def test_exported_model_serves_predictions(run, mnist_test):
    output, metrics, _ = run
    predictor = Predictor(output / artifacts.TFLITE_MODEL, calibration=Calibration.from_serving(metrics["serving"]))
    images, labels = mnist_test
    inputs = np.stack([to_model_input(image) for image in images[:1000]])
    accuracy = np.mean([p.digit for p in predictor.predict_batch(inputs)] == labels[:1000])
    assert accuracy == pytest.approx(metrics["evaluations"]["mnist_test"]["accuracy"], abs=0.05)


def test_validation_accuracy_is_measured_on_the_weights_kept(run, mnist_dir):
    output, metrics, _ = run
    from ml.data import load_mnist
    from ml.training import prepare

    mnist = load_mnist(mnist_dir)
    served = Predictor(output / artifacts.TFLITE_MODEL, calibration=Calibration.from_serving(metrics["serving"]))
    probabilities = served.probabilities(prepare(mnist.val_x[:300]))
    measured = float((probabilities.argmax(1) == mnist.val_y[:300]).mean())
    assert metrics["evaluations"]["mnist_validation"]["accuracy"] == pytest.approx(measured, abs=0.002)


def test_progress_is_shown_per_epoch(run):
    _, _, lines = run
    assert any(line.startswith("epoch  1/1") and "val_acc" in line for line in lines)


def test_command_line_writes_the_output_atomically_and_leaves_nothing_on_failure(tmp_path, mnist_dir):
    output = tmp_path / "out"
    with pytest.raises(Exception):
        main(["--mnist-dir", str(tmp_path / "no-such-dir"), "--output", str(output)])
    assert list(tmp_path.iterdir()) == []


def test_command_line_refuses_an_unknown_architecture(capsys):
    with pytest.raises(SystemExit):
        main(["--architecture", "nope"])
    assert "invalid choice" in capsys.readouterr().err
