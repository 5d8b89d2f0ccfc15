"""`make serve-prod` runs the production settings; over plain HTTP exactly four deploy checks are
silenced, each for a stated reason, and nothing else is."""
import os
import re
import stat
import subprocess
import sys

from ops.serve_prod import PLAIN_HTTP, REPO, production_env

# The browser tests' conftest sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; no deployment has it.
UNSET = {"DEBUG", "SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", *PLAIN_HTTP}
CLEAN = {k: v for k, v in os.environ.items() if k not in UNSET}


def deploy_check(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120,
    )


def test_debug_is_always_off_and_plain_http_values_are_only_defaults(tmp_path):
    env = production_env({"DEBUG": "true", "SECURE_SSL_REDIRECT": "true", "VAR_DIR": str(tmp_path)})

    assert env["DEBUG"] == "false"
    assert env["SECURE_SSL_REDIRECT"] == "true"  # e.g. behind a TLS proxy
    assert env["SESSION_COOKIE_SECURE"] == "false"


def test_a_missing_secret_key_is_generated_once_and_kept_private(tmp_path):
    first = production_env({"VAR_DIR": str(tmp_path)})["SECRET_KEY"]
    second = production_env({"VAR_DIR": str(tmp_path)})["SECRET_KEY"]

    assert first == second and len(first) >= 50
    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600
    assert production_env({"VAR_DIR": str(tmp_path), "SECRET_KEY": "given"})["SECRET_KEY"] == "given"


def test_deploy_check_passes_with_the_serve_prod_environment(tmp_path):
    result = deploy_check(production_env({**CLEAN, "VAR_DIR": str(tmp_path)}))

    assert result.returncode == 0, result.stderr
    assert "no issues (4 silenced)" in result.stdout


def test_the_silenced_checks_are_exactly_those_plain_http_trips(tmp_path):
    env = production_env({**CLEAN, "VAR_DIR": str(tmp_path)})
    env["SILENCED_SYSTEM_CHECKS"] = ""
    result = deploy_check(env)

    fired = set(re.findall(r"security\.W\d+", result.stderr + result.stdout))
    assert fired == set(PLAIN_HTTP["SILENCED_SYSTEM_CHECKS"].split(","))
