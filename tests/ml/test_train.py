"""A small but complete training run: MNIST → fit → evaluate → export → metrics → predict."""
import json

import numpy as np
import pytest

from ml import artifacts
from ml.predictor import Predictor
from ml.preprocess import to_model_input
from ml.train import TrainConfig, main, train


@pytest.fixture(scope="module")
def run(mnist_dir, tmp_path_factory):
    output = tmp_path_factory.mktemp("model")
    lines = []
    config = TrainConfig(mnist_dir=str(mnist_dir), epochs=1, train_limit=3000, batch_size=32)
    metrics = train(config, output, command="test", log=lines.append)
    return output, metrics, lines


def test_run_writes_model_export_metrics_and_plots(run):
    output, _, _ = run
    for name in (artifacts.KERAS_MODEL, artifacts.TFLITE_MODEL, artifacts.METRICS, artifacts.CURVES_PLOT, artifacts.CONFUSION_PLOT):
        assert (output / name).stat().st_size > 0, name


def test_metrics_file_describes_the_run(run):
    output, metrics, _ = run
    on_disk = artifacts.read_metrics(output)
    assert on_disk == json.loads(json.dumps(metrics))
    assert metrics["data"] == {"train": 3000, "validation": 5000, "test": 10000}
    assert metrics["epochs_run"] == 1 and len(metrics["history"]["val_loss"]) == 1
    test = metrics["test"]
    assert test["count"] == 10_000
    assert 0.5 < test["accuracy"] <= 1.0  # one epoch on 3,000 images already learns something
    assert sum(map(sum, test["confusion_matrix"])) == 10_000
    assert {"macro_precision", "macro_recall", "macro_f1", "macro_auc_ovr"} <= set(test)
    assert metrics["environment"]["tensorflow"]
    assert metrics["command"] == "test"


def test_export_agrees_with_keras_on_the_whole_test_set(run):
    _, metrics, _ = run
    assert metrics["export_check"]["images"] == 10_000
    assert metrics["export_check"]["label_agreement"] >= 0.999


def test_exported_model_serves_predictions(run, mnist_test):
    output, metrics, _ = run
    predictor = Predictor(output / artifacts.TFLITE_MODEL)
    images, labels = mnist_test
    inputs = np.stack([to_model_input(image) for image in images[:1000]])
    accuracy = np.mean([p.digit for p in predictor.predict_batch(inputs)] == labels[:1000])
    assert accuracy == pytest.approx(metrics["test"]["accuracy"], abs=0.05)


def test_progress_is_shown_per_epoch(run):
    _, _, lines = run
    assert any(line.startswith("epoch  1/1") and "val_acc" in line for line in lines)


def test_command_line_refuses_an_unknown_architecture(capsys):
    with pytest.raises(SystemExit):
        main(["--architecture", "nope"])
    assert "invalid choice" in capsys.readouterr().err
