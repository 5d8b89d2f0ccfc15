"""`manage.py train --dataset NAME`: imported confirmed drawings join the training mix and the report."""
import io
import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from ml import artifacts
from ml.datasets import MixConfig, training_mix
from recognizer.datasets.services import dataset_import
from recognizer.models import ModelVersion
from tests.recognizer.dataset_archives import notmnist_letters, npz_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(mnist_test):
    """20 MNIST digits and 5 notMNIST letters imported as dataset "extra-set"."""
    images, labels = mnist_test
    x = np.concatenate([images[:20], notmnist_letters(5)])
    y = np.concatenate([labels[:20], np.full(5, 10)])
    dataset_import(file=io.BytesIO(npz_bytes(x=x, y=y)), name="extra-set")
    return y


NOTHING_ELSE = MixConfig(mnist_scans=0, writer_variants=0, style_digits=0, synthetic_negatives=0, real_negatives=0)


def test_the_mix_takes_extra_npz_files_with_their_checksum(tmp_path, mnist_test):
    images, labels = mnist_test
    path = tmp_path / "mine.npz"
    path.write_bytes(npz_bytes(x=images[:7], y=np.array([0, 1, 2, 3, 4, 5, 10])))
    mnist_x = images[100:110].astype(np.float32) / 255
    mix = training_mix(mnist_x, labels[100:110], MixConfig(**{**NOTHING_ELSE.__dict__, "extra": (str(path),)}), 0,
                       log=lambda line: None)

    assert len(mix.x) == 17 and mix.y[-1] == 10 and mix.x.max() <= 1.0
    assert mix.sources["extra:mine"]["count"] == 7 and len(mix.sources["extra:mine"]["sha256"]) == 64


def test_the_mix_refuses_labels_out_of_range(tmp_path, mnist_test):
    images, _ = mnist_test
    path = tmp_path / "bad.npz"
    path.write_bytes(npz_bytes(x=images[:2], y=np.array([3, 11])))
    with pytest.raises(ValueError, match="labels must be 0-9"):
        training_mix(images[:2] / 255, np.array([1, 2]), MixConfig(**{**NOTHING_ELSE.__dict__, "extra": (str(path),)}),
                     0, log=lambda line: None)


@pytest.mark.training  # the command loads TensorFlow before it reads the datasets
def test_unknown_dataset_registers_nothing(tmp_path, settings):
    settings.MODEL_DIR = tmp_path / "models"
    count = ModelVersion.objects.count()
    with pytest.raises(CommandError, match="dataset 'nope' has no confirmed drawings"):
        call_command("train", "--quick", "--dataset", "nope", stdout=StringIO())
    assert ModelVersion.objects.count() == count


def test_dataset_with_background_is_refused():
    with pytest.raises(CommandError, match="cannot be combined with --background"):
        call_command("train", "--dataset", "x", "--background", stdout=StringIO())


@pytest.mark.training
def test_train_with_a_dataset_records_it_as_a_data_source(tmp_path, settings, imported):
    settings.MODEL_DIR = tmp_path / "models"
    before = set(ModelVersion.objects.values_list("pk", flat=True))
    call_command("train", "--quick", "--epochs", "1", "--train-limit", "500", "--dataset", "extra-set", stdout=StringIO())

    version = ModelVersion.objects.exclude(pk__in=before).get()
    metrics = json.loads((tmp_path / "models" / version.name / artifacts.METRICS).read_text())
    assert metrics["data"]["extra:extra-set"]["count"] == 25
    assert (tmp_path / "models" / version.name / "datasets" / "extra-set.npz").is_file()
