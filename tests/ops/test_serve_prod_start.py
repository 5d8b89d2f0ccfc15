"""How `make serve-prod` starts: the database steps and collectstatic side by side, either failing stops the
start; collectstatic only when a static file changed, the application loaded and
warmed once in gunicorn's master (preload_app) before the workers are forked, so the workers never load
the model themselves. (A restart skipping collectstatic is checked on its own: in a working tree that
someone is editing, a server test could not tell a skipped run from a legitimately repeated one.)"""
import gc
import logging
import os

import pytest
from django.core.management import CommandError

from ml.canvas import canvas_png
from ops import traffic
from ops.databases import fresh_database
from ops import serve_prod
from ops.serve_prod import STATIC_STAMP, collectstatic_if_changed, prepared_in_children
from ops.serve_prod_warmup import warm_up
from ops.server import HOST, ProductionServer, isolated_env
from recognizer import predictors
from recognizer.selectors import model_version_get_serving


@pytest.fixture
def static_dirs(settings, tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "site.css").write_text("body { color: #222; }\n")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
    return source, settings.STATIC_ROOT


def test_collectstatic_runs_again_only_when_a_source_file_changed(static_dirs):
    source, root = static_dirs

    assert collectstatic_if_changed() is True
    assert (root / "staticfiles.json").is_file() and (root / STATIC_STAMP).is_file()
    assert collectstatic_if_changed() is False

    stat = (source / "site.css").stat()
    os.utime(source / "site.css", ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))  # saved again
    assert collectstatic_if_changed() is True
    assert collectstatic_if_changed() is False

    (root / "staticfiles.json").unlink()  # a damaged STATIC_ROOT is collected again
    assert collectstatic_if_changed() is True


@pytest.fixture
def unfrozen():
    yield
    gc.unfreeze()


def _leave_mark(path):
    return lambda: path.write_text(str(os.getpid()))


def test_the_two_preparations_run_in_two_children_at_once(monkeypatch, tmp_path):
    database_ran, static_ran = tmp_path / "database", tmp_path / "static"
    monkeypatch.setattr(serve_prod, "prepare_database", _leave_mark(database_ran))
    monkeypatch.setattr(serve_prod, "collectstatic_if_changed", _leave_mark(static_ran))

    assert prepared_in_children()
    pids = {database_ran.read_text(), static_ran.read_text()}
    assert len(pids) == 2 and str(os.getpid()) not in pids


@pytest.mark.parametrize("failing", ["prepare_database", "collectstatic_if_changed"])
def test_either_preparation_failing_stops_the_start_and_says_why(monkeypatch, capfd, failing):
    def fail():
        raise CommandError(f"{failing} went wrong")

    monkeypatch.setattr(serve_prod, "prepare_database", lambda: None)
    monkeypatch.setattr(serve_prod, "collectstatic_if_changed", lambda: None)
    monkeypatch.setattr(serve_prod, failing, fail)

    assert not prepared_in_children()
    assert f"serve-prod: {failing} went wrong" in capfd.readouterr().err


@pytest.mark.django_db(transaction=True)
def test_warm_up_loads_the_active_version_and_freezes_what_it_made(unfrozen):
    predictors._loaded.clear()
    version = model_version_get_serving()

    warm_up()

    assert [key[0] for key in predictors._loaded] == [version.sha256]
    assert gc.get_freeze_count() > 0


@pytest.mark.fresh_database
@pytest.mark.django_db(transaction=True)
def test_warm_up_without_an_active_version_leaves_the_model_to_the_workers(unfrozen, caplog):
    predictors._loaded.clear()

    with caplog.at_level(logging.WARNING, logger="ops.serve_prod_warmup"):
        warm_up()

    assert not predictors._loaded
    assert "the model is loaded by each worker instead" in caplog.text


def test_workers_answer_with_the_model_the_master_loaded_before_forking_them(tmp_path, mnist_test):
    bodies = [traffic.page_body(canvas_png(image)) for image in mnist_test[0][:12]]

    with fresh_database("sqlite", directory=tmp_path, name="start") as url:
        env = isolated_env(database_url=url, var_dir=tmp_path / "var")
        with ProductionServer(env, log_path=tmp_path / "server.log", workers=2) as server:
            results, _ = traffic.send_all(bodies, host=HOST, port=server.port, path="/api/predictions/",
                                          concurrency=4, time_limit_s=120)

    assert [r.status for r in results] == [201] * len(bodies)
    served = (tmp_path / "server.log").read_text().split("Listening at", 1)[1]  # gunicorn's part of the log
    assert served.count('"event": "model loaded"') == 1  # by the master,
    assert served.index('"event": "model loaded"') < served.index("Booting worker")  # before any worker existed
