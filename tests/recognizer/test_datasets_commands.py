"""`manage.py import_dataset` and `export_dataset`: what they print, and exit status 1 with one clear line
(no traceback) for every refused archive."""
import io

import numpy as np
import pytest
from django.core.management import call_command, get_commands, load_command_class
from django.core.management.base import CommandError
from django.db import connections

from recognizer.models import Drawing
from tests.recognizer.dataset_archives import image_zip, notmnist_letters, npz_bytes, zip_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(tmp_path, mnist_test):
    images, labels = mnist_test
    path = tmp_path / "digits.zip"
    path.write_bytes(image_zip(images[:6], labels[:6], notmnist_letters(2)))
    return path


def run_from_argv(capsys, monkeypatch, *argv) -> tuple[int, str, str]:
    """As the shell runs it: the exit status and what was printed. run_from_argv closes the database
    connections when done, which would end the test's transaction (PostgreSQL): that step is skipped."""
    monkeypatch.setattr(connections, "close_all", lambda: None)
    command = load_command_class(get_commands()[argv[0]], argv[0])
    try:
        command.run_from_argv(["manage.py", *argv])
        status = 0
    except SystemExit as exit_:
        status = exit_.code
    out, err = capsys.readouterr()
    return status, out, err


def test_import_then_export_every_format(archive, tmp_path):
    out = io.StringIO()
    call_command("import_dataset", str(archive), "--name", "cli", stdout=out)
    assert "imported 8 drawing(s) into dataset 'cli' from a zip archive (6 digits, 2 not a digit)" in out.getvalue()

    for fmt, count in (("zip", 8), ("npz", 8), ("idx", 6)):
        target = tmp_path / f"out.{fmt}"
        out = io.StringIO()
        call_command("export_dataset", "--format", fmt, "--dataset", "cli", "--output", str(target), stdout=out)
        assert f"wrote {count} drawing(s)" in out.getvalue() and target.stat().st_size > 0
    call_command("import_dataset", str(tmp_path / "out.npz"), "--name", "again", stdout=io.StringIO())
    assert Drawing.objects.filter(dataset="again").count() == 8


def test_dry_run_stores_nothing(archive):
    out = io.StringIO()
    call_command("import_dataset", str(archive), "--name", "cli", "--dry-run", stdout=out)
    assert "would import 8 drawing(s)" in out.getvalue()
    assert not Drawing.objects.exists()


def test_refused_archive_exits_1_with_the_reason(tmp_path, capsys, monkeypatch, mnist_test):
    images, labels = mnist_test
    bad = tmp_path / "bad.npz"
    bad.write_bytes(npz_bytes(x=images[:3], y=np.array([1, 2, 12])))

    status, out, err = run_from_argv(capsys, monkeypatch, "import_dataset", str(bad), "--name", "cli")
    assert status == 1
    assert "nothing imported: y holds label 12; labels are 0-9, or 10 for not a digit" in err
    assert "Traceback" not in err and not Drawing.objects.exists()


@pytest.mark.parametrize(
    "content, options, message",
    [
        (b"plain text", [], "not a zip archive"),
        (zip_bytes({"labels.csv": b"file,label\n../x.png,1\n"}), [], "'..' is not allowed"),
        (None, [], "no such file"),
        (zip_bytes({"x.npy": b""}), ["--format", "idx"], "exactly two files"),
    ],
)
def test_import_errors(tmp_path, content, options, message):
    path = tmp_path / "in.zip"
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        call_command("import_dataset", str(path), "--name", "cli", *options)
    assert not Drawing.objects.exists()


def test_existing_name_needs_append(archive):
    call_command("import_dataset", str(archive), "--name", "cli", stdout=io.StringIO())
    with pytest.raises(CommandError, match="already exists"):
        call_command("import_dataset", str(archive), "--name", "cli")
    call_command("import_dataset", str(archive), "--name", "cli", "--append", stdout=io.StringIO())
    assert Drawing.objects.filter(dataset="cli").count() == 16


def test_export_with_nothing_to_write_exits_1(tmp_path, capsys, monkeypatch):
    status, _, err = run_from_argv(capsys, monkeypatch, "export_dataset", "--output", str(tmp_path / "x.zip"))
    assert status == 1 and "no confirmed drawings match" in err
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize("command", ["import_dataset", "export_dataset"])
def test_every_option_has_help(command):
    parser = load_command_class(get_commands()[command], command).create_parser("manage.py", command)
    ours = [action for action in parser._actions if action.dest in
            {"path", "name", "format", "append", "dry_run", "dataset", "source", "output", "background"}]
    assert len(ours) == {"import_dataset": 6, "export_dataset": 5}[command]
    assert all(action.help for action in ours)


@pytest.mark.fresh_database
def test_import_without_an_active_model_imports_nothing(archive):
    with pytest.raises(CommandError, match="no model version is active"):
        call_command("import_dataset", str(archive), "--name", "cli")
    assert not Drawing.objects.exists()
