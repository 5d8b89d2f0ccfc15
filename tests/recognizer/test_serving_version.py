"""The request path's active version (selectors.model_version_get_serving): asked of the database on every
call, with the ORM's work kept per process. A switch, a rename or a rollback is seen by the very next call,
each call gets its own instance, and a read writes nothing."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from recognizer.exceptions import ModelUnavailable
from recognizer.models import ModelVersion
from recognizer.selectors import SERVING_FIELDS, model_version_get_serving
from recognizer.services import model_version_activate, model_version_register
from tests.recognizer.test_model_lifecycle import version_files

pytestmark = pytest.mark.django_db


def loaded(version: ModelVersion) -> dict:
    return {name: getattr(version, name) for name in SERVING_FIELDS}


def test_the_serving_version_is_the_active_row_as_the_orm_loads_it():
    for _ in range(3):  # the first call fills this process's copy, the next ones use it
        serving = model_version_get_serving()
        assert loaded(serving) == loaded(ModelVersion.objects.get(is_active=True))
        assert {"metrics", "notes", "model_file", "keras_file"} <= serving.get_deferred_fields()
    assert serving.report.version == serving.name  # the deferred report still loads on demand
    assert model_version_get_serving() is not model_version_get_serving()  # a fresh instance per call


def test_a_switch_and_a_rollback_are_seen_by_the_next_call(tmp_path):
    shipped = model_version_get_serving()
    work, metrics = version_files(tmp_path, "candidate")
    candidate = model_version_register(work_dir=work, metrics=metrics, destination=tmp_path / "candidate")

    model_version_activate(version=candidate)
    assert model_version_get_serving().pk == candidate.pk

    model_version_activate(version=ModelVersion.objects.get(pk=shipped.pk))
    assert model_version_get_serving().pk == shipped.pk


def test_a_change_to_the_active_row_behind_the_orms_back_is_seen_at_once():
    serving = model_version_get_serving()
    ModelVersion.objects.filter(pk=serving.pk).update(name="renamed", artifact="elsewhere/model.tflite")

    again = model_version_get_serving()

    assert (again.name, again.artifact) == ("renamed", "elsewhere/model.tflite")


def test_no_active_version_is_model_unavailable():
    model_version_get_serving()
    ModelVersion.objects.update(is_active=False)

    with pytest.raises(ModelUnavailable):
        model_version_get_serving()


def test_a_call_is_one_select_and_writes_nothing():
    model_version_get_serving()

    with CaptureQueriesContext(connection) as queries:
        model_version_get_serving()

    assert len(queries) == 1
    assert queries[0]["sql"].lstrip().upper().startswith("SELECT")
