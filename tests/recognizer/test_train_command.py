"""`manage.py train`: the ml training run behind Django's command line, with settings as defaults."""
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ml import artifacts
from recognizer.models import ModelVersion
from recognizer.selectors import model_version_get_active

pytestmark = pytest.mark.django_db


def test_train_registers_its_result_as_an_inactive_version(tmp_path, settings):
    settings.MODEL_DIR = tmp_path / "models"
    active = model_version_get_active()
    out = StringIO()
    call_command("train", "--quick", "--epochs", "1", "--train-limit", "500", stdout=out)

    version = ModelVersion.objects.exclude(pk=active.pk).get()
    directory = tmp_path / "models" / version.name
    metrics = json.loads((directory / artifacts.METRICS).read_text())
    assert metrics["version"] == version.name and version.metrics == metrics
    assert metrics["data"]["mnist_train"]["count"] == 500 and metrics["evaluations"]["mnist_test"]["count"] == 10_000
    assert metrics["command"].startswith("python manage.py train --mnist-dir ")
    assert version.artifact_path == directory / artifacts.TFLITE_MODEL and version.sha256 == artifacts.sha256(version.artifact_path)
    assert model_version_get_active() == active and not version.is_active
    assert f"{version.name} (registered, not active)" in out.getvalue()
    assert [p.name for p in (tmp_path / "models").iterdir()] == [version.name]  # no work directory left


def test_a_failed_training_leaves_no_folder_and_no_row(tmp_path, settings):
    settings.MODEL_DIR = tmp_path / "models"
    count = ModelVersion.objects.count()
    (tmp_path / "mnist").mkdir()
    (tmp_path / "mnist" / "train-images-idx3-ubyte").write_bytes(b"not an idx file")

    with pytest.raises(CommandError, match="nothing was registered"):
        call_command("train", "--quick", "--mnist-dir", str(tmp_path / "mnist"), stdout=StringIO())

    assert ModelVersion.objects.count() == count
    assert not (tmp_path / "models").exists() or list((tmp_path / "models").iterdir()) == []
