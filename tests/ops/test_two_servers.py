"""Two production servers on one database, each with its own VAR_DIR, switch model versions within 5 s.

Server A shares its VAR_DIR with "its machine": the process that registers a new version into
A's MODEL_DIR and promotes it. Server B is another machine: it runs in its own mount namespace in which
A's VAR_DIR is covered by an empty tmpfs, so it cannot read the new version's folder and can only serve
it from the database (through its own cache under its own VAR_DIR). Both must answer predictions with the
new version within SWITCH_LIMIT_S of the promotion's commit, without restart, and likewise after a
rollback. The database is this pass's engine (PostgreSQL under `make test-postgres`).
"""
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from ml.canvas import canvas_png
from ops import traffic
from ops.databases import fresh_database
from ops.server import HOST, REPO, ProductionServer, isolated_env

pytestmark = [pytest.mark.slow, pytest.mark.db]

SWITCH_LIMIT_S = 5.0
CONFIRMATIONS = 4  # answers in a row with the new version after the first, so every worker has switched

# Run by the first machine. The new version's .tflite gets 64 bytes of padding, which LiteRT ignores
# after the flatbuffer: a file of its own (a new checksum) that loads like the shipped one.
REGISTER_AND_PROMOTE = """
import shutil, sys, tempfile, time
from pathlib import Path
import django; django.setup()
from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, read_metrics
from ml.report import Report
from recognizer.selectors import model_version_get_active
from recognizer.services import model_version_promote, model_version_register
work = Path(tempfile.mkdtemp()) / "new"
shutil.copytree(SHIPPED_DIR, work)
with open(work / TFLITE_MODEL, "ab") as file:
    file.write(bytes(64))
metrics = {**Report.from_dict(read_metrics(SHIPPED_DIR)).to_dict(), "version": sys.argv[1]}
version = model_version_register(work_dir=work, metrics=metrics)
promoted, why = model_version_promote(version=version, trained_from=model_version_get_active())
assert promoted, why
print(time.time(), version.sha256, version.artifact_path)
"""
ROLL_BACK = """
import sys, time
import django; django.setup()
from recognizer.models import ModelVersion
from recognizer.services import model_version_activate
model_version_activate(version=ModelVersion.objects.get(name=sys.argv[1]))
print(time.time())
"""


def this_pass() -> tuple[str, str]:
    """The kind of database the suite runs on, and its server's URL (for PostgreSQL)."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return "sqlite", ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return "postgres", f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


class ServerOnAnotherMachine(ProductionServer):
    """ops.serve_prod with `hidden` (the other machine's VAR_DIR) covered by an empty tmpfs, in a mount
    namespace of its own: the machine's mounts are untouched, and the cover goes when the server exits."""

    def __init__(self, env, *, hidden: Path, **kwargs):
        super().__init__(env, **kwargs)
        self.hidden = hidden

    def __enter__(self) -> "ServerOnAnotherMachine":
        cover = 'mount -t tmpfs -o size=1m tmpfs "$0" && exec "$1" -m ops.serve_prod'
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                ["unshare", "--mount", "--propagation", "private", "sh", "-c", cover, str(self.hidden), sys.executable],
                cwd=REPO, env=self.env, stdout=log, stderr=log,
            )
        try:
            self._wait_until_healthy()
        except BaseException:
            self.stop()
            raise
        return self


def django_run(env: dict, code: str, *args: str) -> list[str]:
    result = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True, text=True,
                            env={**env, "DJANGO_SETTINGS_MODULE": "digitsite.settings"}, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout.split()


def served_version(server: ProductionServer, body: bytes) -> str | None:
    result = traffic.post_json(HOST, server.port, "/api/predictions/", body, index=0)
    assert result.status in (201, 503), result
    return (result.body or {}).get("model_version")


def switch_time(server: ProductionServer, body: bytes, target: str, since: float) -> float:
    """Seconds from `since` (wall clock) to the first answer by `target`; then every worker must agree."""
    while time.time() - since < 3 * SWITCH_LIMIT_S:
        if served_version(server, body) == target:
            elapsed = time.time() - since
            assert [served_version(server, body) for _ in range(CONFIRMATIONS)] == [target] * CONFIRMATIONS
            return elapsed
        time.sleep(0.05)
    pytest.fail(f"the server on port {server.port} still does not serve {target}")


def test_a_second_server_without_the_first_ones_disk_switches_within_seconds(tmp_path, mnist_test):
    images, _ = mnist_test
    body = traffic.page_body(canvas_png(images[0]))
    kind, server_url = this_pass()
    var_a, var_b = tmp_path / "machine-a", tmp_path / "machine-b"
    var_a.mkdir()

    with fresh_database(kind, directory=tmp_path, name=f"digits_two_servers_{os.getpid()}", server=server_url) as url:
        env_a, env_b = (isolated_env(database_url=url, var_dir=var) for var in (var_a, var_b))
        with (ProductionServer(env_a, log_path=tmp_path / "a.log") as a,
              ServerOnAnotherMachine(env_b, hidden=var_a, log_path=tmp_path / "b.log") as b):
            shipped = served_version(b, body)
            assert shipped is not None and served_version(a, body) == shipped

            committed, sha, folder = django_run(env_a, REGISTER_AND_PROMOTE, "promoted-elsewhere")
            promote = {"A": switch_time(a, body, "promoted-elsewhere", float(committed)),
                       "B": switch_time(b, body, "promoted-elsewhere", float(committed))}
            (committed,) = django_run(env_a, ROLL_BACK, shipped)
            rollback = {"A": switch_time(a, body, shipped, float(committed)),
                        "B": switch_time(b, body, shipped, float(committed))}
        logs = a.log() + b.log()

    print(f"switch after promotion: {promote}; after rollback: {rollback} (seconds, wall clock from the commit)")
    assert Path(folder).is_relative_to(var_a)
    assert (var_b / "model-cache" / f"{sha}.tflite").is_file()  # B read the version from the database
    assert not (var_a / "model-cache").exists()  # A had the folder
    assert max(*promote.values(), *rollback.values()) < SWITCH_LIMIT_S
    assert "Traceback" not in logs
