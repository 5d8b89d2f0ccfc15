"""`manage.py train`: the ml training run behind Django's command line, with settings as defaults."""
import json
from io import StringIO

from django.core.management import call_command

from ml import artifacts


def test_train_command_defaults_to_the_mnist_dir_setting_and_writes_a_complete_version(tmp_path):
    out = StringIO()
    call_command("train", "--epochs", "1", "--train-limit", "500", "--output", str(tmp_path), stdout=out)

    metrics = json.loads((tmp_path / artifacts.METRICS).read_text())
    assert metrics["data"]["train"] == 500 and metrics["test"]["count"] == 10_000
    assert metrics["command"].startswith("python manage.py train --mnist-dir ")
    assert (tmp_path / artifacts.TFLITE_MODEL).is_file()
    assert f"wrote {tmp_path}: MNIST test accuracy" in out.getvalue()
