"""How a model version is born, registered, activated and promoted; and reads that never write."""
import shutil
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, read_metrics, sha256
from ml.report import MNIST_TEST, Report
from recognizer.models import Drawing, ModelVersion
from recognizer.selectors import model_version_get_active
from recognizer.services import (
    model_version_activate,
    model_version_promote,
    model_version_register,
    model_version_register_shipped,
)

pytestmark = pytest.mark.django_db


def app_rows() -> dict[str, int]:
    return {
        "versions": ModelVersion.objects.count(),
        "active": ModelVersion.objects.filter(is_active=True).count(),
        "drawings": Drawing.objects.count(),
        "training links": ModelVersion.training_drawings.through.objects.count(),
    }


def version_files(tmp_path, name: str):
    """A finished work directory, as a training run leaves it: the shipped files under a new version name."""
    work = tmp_path / f".{name}.partial"
    shutil.copytree(SHIPPED_DIR, work)
    metrics = {**Report.from_dict(read_metrics(SHIPPED_DIR)).to_dict(), "version": name}
    return work, metrics


# --- reads never write -------------------------------------------------------------------------------


@pytest.mark.fresh_database
def test_reads_on_a_fresh_database_change_no_row(client, admin_user):
    before = app_rows()
    assert before["versions"] == 0

    assert model_version_get_active() is None
    assert client.get("/health").status_code == 503
    call_command("list_models", stdout=StringIO())
    with pytest.raises(Exception, match="register_shipped_model"):
        call_command("retrain", "--dry-run", "--min-labels", "0", stdout=StringIO())
    client.force_login(admin_user)
    for page in ("/admin/", "/admin/recognizer/modelversion/", "/admin/recognizer/drawing/"):
        assert client.get(page).status_code == 200

    assert app_rows() == before


def test_reads_with_a_registered_model_change_no_row(client, admin_user, drawing):
    before = app_rows()

    assert client.get("/health").json()["model_loaded"] is True
    call_command("list_models", stdout=StringIO())
    call_command("retrain", "--dry-run", "--min-labels", "0", stdout=StringIO())
    client.force_login(admin_user)
    version = model_version_get_active()
    for page in ("/admin/recognizer/modelversion/", f"/admin/recognizer/modelversion/{version.pk}/change/",
                 "/admin/recognizer/drawing/", f"/admin/recognizer/drawing/{drawing.pk}/change/"):
        assert client.get(page).status_code == 200

    assert app_rows() == before


@pytest.mark.fresh_database
def test_predictions_without_an_active_version_are_a_503_that_stores_nothing(api_client, digit_image):
    upload = SimpleUploadedFile("three.png", digit_image(3), "image/png")
    response = api_client.post("/api/predictions/", {"image": upload}, format="multipart")

    assert response.status_code == 503 and response.json()["status"] == "error"
    assert app_rows()["drawings"] == 0


# --- the shipped model --------------------------------------------------------------------------------


@pytest.mark.fresh_database
def test_registering_the_shipped_model_is_explicit_and_idempotent():
    output = StringIO()
    call_command("register_shipped_model", stdout=output)
    call_command("register_shipped_model", stdout=output)

    version = ModelVersion.objects.get()
    assert version.is_active and "active" in output.getvalue()
    assert version.name == Report.from_dict(read_metrics(SHIPPED_DIR)).version
    assert version.sha256 == sha256(SHIPPED_DIR / TFLITE_MODEL)
    assert version.artifact_path == SHIPPED_DIR / TFLITE_MODEL
    assert version.report.accuracy(MNIST_TEST) > 0.99


@pytest.mark.fresh_database
def test_a_redeployed_shipped_model_replaces_the_old_shipped_one():
    old = ModelVersion.objects.create(name="old-shipped", artifact="ml/artifacts/model.tflite", sha256="0" * 64, is_active=True)

    shipped = model_version_register_shipped()

    assert shipped != old and shipped.sha256 == sha256(SHIPPED_DIR / TFLITE_MODEL)
    assert list(ModelVersion.objects.filter(is_active=True)) == [shipped]


@pytest.mark.fresh_database
def test_a_version_activated_on_purpose_is_not_displaced_by_the_shipped_one(tmp_path):
    work, metrics = version_files(tmp_path, "retrained")
    retrained = model_version_activate(version=model_version_register(work_dir=work, metrics=metrics, destination=tmp_path / "retrained"))

    shipped = model_version_register_shipped()

    assert not shipped.is_active and model_version_get_active() == retrained


# --- one register path --------------------------------------------------------------------------------


def test_register_moves_the_files_into_place_and_creates_an_inactive_row(tmp_path, settings):
    settings.MODEL_DIR = tmp_path / "models"
    work, metrics = version_files(tmp_path, "v2")

    version = model_version_register(work_dir=work, metrics=metrics)

    assert not work.exists() and (tmp_path / "models" / "v2" / TFLITE_MODEL).is_file()
    assert version.artifact_path == tmp_path / "models" / "v2" / TFLITE_MODEL
    assert version.sha256 == sha256(version.artifact_path) and not version.is_active
    assert version.metrics["schema"] == 2 and version.metrics["version"] == "v2"


def test_a_failed_registration_leaves_no_folder_and_no_row(tmp_path, settings):
    settings.MODEL_DIR = tmp_path / "models"
    work, metrics = version_files(tmp_path, "v3")
    before = app_rows()

    with pytest.raises(Exception):
        model_version_register(work_dir=work, metrics=metrics, training_drawing_ids=["not-a-uuid"])

    assert not (tmp_path / "models" / "v3").exists()
    assert app_rows() == before


def test_a_name_already_taken_is_refused_before_any_file_moves(tmp_path, settings):
    settings.MODEL_DIR = tmp_path / "models"
    active = model_version_get_active()
    work, metrics = version_files(tmp_path, active.name)

    with pytest.raises(ValueError, match="already exists"):
        model_version_register(work_dir=work, metrics=metrics)

    assert work.is_dir() and not (tmp_path / "models").exists()


# --- promotion ------------------------------------------------------------------------------------------


def test_promotion_activates_a_candidate_measured_against_the_active_version(tmp_path):
    shipped = model_version_get_active()
    work, metrics = version_files(tmp_path, "candidate")
    candidate = model_version_register(work_dir=work, metrics=metrics, destination=tmp_path / "candidate")

    promoted, why = model_version_promote(version=candidate, trained_from=shipped)

    assert promoted and model_version_get_active() == candidate, why


def test_promotion_keeps_the_candidate_inactive_when_the_active_version_changed_meanwhile(tmp_path):
    shipped = model_version_get_active()
    rollback_work, rollback_metrics = version_files(tmp_path, "rollback-target")
    other = model_version_register(work_dir=rollback_work, metrics=rollback_metrics, destination=tmp_path / "other")
    work, metrics = version_files(tmp_path, "candidate")
    candidate = model_version_register(work_dir=work, metrics=metrics, destination=tmp_path / "candidate")

    model_version_activate(version=other)  # an operator rolls back while the candidate trains
    promoted, why = model_version_promote(version=candidate, trained_from=shipped)

    assert not promoted and "changed while" in why and other.name in why
    assert model_version_get_active() == other
    assert not ModelVersion.objects.get(pk=candidate.pk).is_active
