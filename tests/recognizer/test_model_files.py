"""Model files in the database: stored at registration, cached per server, checked, and filled for old rows.

A version's folder is deleted in most tests: that is a server on another machine, which has only the
database. Each test has its own VAR_DIR, so its model cache starts empty.
"""
import shutil
from io import StringIO

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from ml.artifacts import KERAS_MODEL, SHIPPED_DIR, TFLITE_MODEL, read_metrics, sha256
from ml.report import Report
from recognizer import model_files
from recognizer.exceptions import ModelUnavailable
from recognizer.models import Drawing, ModelVersion
from recognizer.predictors import predictor_for
from recognizer.selectors import (
    drawing_get,
    drawing_list,
    model_version_get_active,
    model_version_get_serving,
    model_version_list,
)
from recognizer.services import model_version_register, model_version_register_shipped

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path / "var"
    settings.MODEL_DIR = tmp_path / "var" / "models"


def register(tmp_path, name: str, parent: ModelVersion | None = None) -> ModelVersion:
    """A version registered from a copy of the shipped files, as a training run on this machine leaves it."""
    work = tmp_path / f".{name}.partial"
    shutil.copytree(SHIPPED_DIR, work)
    metrics = {**Report.from_dict(read_metrics(SHIPPED_DIR)).to_dict(), "version": name}
    return model_version_register(work_dir=work, metrics=metrics, parent=parent)


def on_another_machine(version: ModelVersion) -> ModelVersion:
    """The version as a server without its folder sees it: the row only, loaded as the request path loads it."""
    shutil.rmtree(version.artifact_path.parent)
    return ModelVersion.objects.defer(*model_files.FILE_FIELDS).get(pk=version.pk)


def cached(version: ModelVersion):
    return model_files.cache_dir() / f"{version.sha256}.tflite"


def test_registering_stores_both_files_with_the_checksum_of_the_stored_bytes(tmp_path):
    version = register(tmp_path, "stored")

    row = ModelVersion.objects.get(pk=version.pk)
    assert bytes(row.model_file) == (SHIPPED_DIR / TFLITE_MODEL).read_bytes()
    assert bytes(row.keras_file) == (SHIPPED_DIR / KERAS_MODEL).read_bytes()
    assert row.sha256 == sha256(SHIPPED_DIR / TFLITE_MODEL)


def test_a_server_without_the_folder_serves_the_version_from_a_checked_cache_copy(tmp_path):
    version = on_another_machine(register(tmp_path, "elsewhere"))

    predictions = predictor_for(version).predict_batch(np.zeros((2, 28, 28), np.float32))

    assert len(predictions) == 2
    assert sha256(cached(version)) == version.sha256
    assert [p.name for p in cached(version).parent.iterdir()] == [cached(version).name]  # no temporary left


def test_a_corrupt_cache_file_is_replaced_from_the_database(tmp_path):
    version = on_another_machine(register(tmp_path, "corrupt-cache"))
    cached(version).parent.mkdir(parents=True)
    cached(version).write_bytes(b"half a file")

    assert model_files.tflite_path(version) == cached(version)
    assert sha256(cached(version)) == version.sha256


def test_stored_bytes_that_fail_their_checksum_are_a_clear_503_that_stores_nothing(tmp_path, api_client, digit_image):
    version = on_another_machine(register(tmp_path, "corrupt-row"))
    ModelVersion.objects.filter(pk=version.pk).update(model_file=b"not the registered file")
    ModelVersion.objects.update(is_active=False)
    ModelVersion.objects.filter(pk=version.pk).update(is_active=True)  # as if it rotted after activation
    drawings = Drawing.objects.count()

    upload = SimpleUploadedFile("three.png", digit_image(3), "image/png")
    response = api_client.post("/api/predictions/", {"image": upload}, format="multipart")

    assert response.status_code == 503
    assert response.json()["error"] == "the stored model file of version corrupt-row does not match its checksum"
    assert Drawing.objects.count() == drawings and not cached(version).exists()


def test_a_version_with_no_folder_and_no_stored_file_is_unavailable(tmp_path):
    version = on_another_machine(register(tmp_path, "nowhere"))
    ModelVersion.objects.filter(pk=version.pk).update(model_file=None)

    with pytest.raises(ModelUnavailable, match="neither on this server nor in the database"):
        predictor_for(version)


def test_an_unwritable_cache_is_a_503_not_a_500(tmp_path, settings):
    version = on_another_machine(register(tmp_path, "no-disk"))
    settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
    model_files.cache_dir().write_text("a file where the cache folder should be")

    with pytest.raises(ModelUnavailable, match="cannot write its copy"):
        predictor_for(version)


def test_retraining_finds_the_keras_file_in_the_folder_else_in_the_database(tmp_path):
    here = register(tmp_path, "keras-here")
    assert model_files.keras_path(here) == here.artifact_path.parent / KERAS_MODEL

    elsewhere = on_another_machine(register(tmp_path, "keras-elsewhere"))
    path = model_files.keras_path(elsewhere)
    assert path.parent == model_files.cache_dir()
    assert path.read_bytes() == (SHIPPED_DIR / KERAS_MODEL).read_bytes()

    ModelVersion.objects.filter(pk=elsewhere.pk).update(keras_file=None)
    assert not model_files.keras_path(elsewhere).exists()


def test_selectors_leave_the_file_columns_unloaded(tmp_path, drawing):
    register(tmp_path, "listed", parent=model_version_get_active())
    versions = [model_version_get_active(), model_version_get_serving(), *model_version_list()]
    versions += [row.parent for row in model_version_list() if row.parent]
    assert len(versions) == 5
    # a joined version would repeat its files on every drawing of a page
    versions += [drawing_get(drawing_id=drawing.pk).model_version, drawing_list().first().model_version]

    for version in versions:
        assert set(model_files.FILE_FIELDS) <= version.get_deferred_fields()


# --- rows registered before files were stored -----------------------------------------------------------


def old_row(tmp_path, name: str) -> ModelVersion:
    """A row as an older database has it: its folder on disk, no file columns."""
    version = register(tmp_path, name)
    ModelVersion.objects.filter(pk=version.pk).update(model_file=None, keras_file=None)
    return version


def test_store_model_files_fills_old_rows_from_their_folders(tmp_path):
    version = old_row(tmp_path, "old")
    out = StringIO()

    call_command("store_model_files", stdout=out)

    row = ModelVersion.objects.get(pk=version.pk)
    assert bytes(row.model_file) == version.artifact_path.read_bytes()
    assert bytes(row.keras_file) == (version.artifact_path.parent / KERAS_MODEL).read_bytes()
    assert "old: stored .tflite and .keras" in out.getvalue()


def test_store_model_files_names_the_versions_it_cannot_store_and_stores_no_changed_file(tmp_path):
    gone = old_row(tmp_path, "gone")
    shutil.rmtree(gone.artifact_path.parent)
    changed = old_row(tmp_path, "changed")
    changed.artifact_path.write_bytes(changed.artifact_path.read_bytes() + b"\0")
    err = StringIO()

    with pytest.raises(CommandError, match="2 version.*gone, changed"):
        call_command("store_model_files", stdout=StringIO(), stderr=err)

    assert "gone: not stored" in err.getvalue() and "changed since it was registered" in err.getvalue()
    assert ModelVersion.objects.filter(pk__in=[gone.pk, changed.pk], model_file__isnull=False).count() == 0


def test_registering_the_shipped_model_again_fills_its_old_row():
    shipped = ModelVersion.objects.get(is_active=True)
    ModelVersion.objects.filter(pk=shipped.pk).update(model_file=None, keras_file=None)

    assert model_version_register_shipped().pk == shipped.pk

    row = ModelVersion.objects.get(pk=shipped.pk)
    assert bytes(row.model_file) == (SHIPPED_DIR / TFLITE_MODEL).read_bytes() and row.keras_file is not None
