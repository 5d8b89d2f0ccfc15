"""`make serve-prod`: the production configuration, served by gunicorn on loopback over plain HTTP.

Production proper sits behind TLS. A laptop or CI box has none, so the settings that insist on
HTTPS get their plain-HTTP values here (PLAIN_HTTP, each with its reason), and exactly the deploy
checks those trip are silenced. Everything else is as in production: DEBUG off, SECRET_KEY required
(kept in VAR_DIR/secret_key when the environment has none), hashed static files via WhiteNoise.
Before gunicorn starts: migrate, register the shipped model, collectstatic, `check --deploy` (any warning stops the start).
The workers keep their Prometheus figures in PROMETHEUS_MULTIPROC_DIR (<VAR_DIR>/prometheus), emptied at each start.
"""
import argparse
import os
import secrets
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from digitsite import multiproc

REPO = Path(__file__).resolve().parent.parent

PLAIN_HTTP = {
    "SECURE_SSL_REDIRECT": "false",  # nothing listens for https://, so a redirect there is a dead end
    "SESSION_COOKIE_SECURE": "false",  # browsers drop Secure cookies over http://: admin login would fail
    "CSRF_COOKIE_SECURE": "false",  # likewise the CSRF cookie that admin forms need
    "SECURE_HSTS_SECONDS": "0",  # HSTS on 127.0.0.1 would pin every local server to https
    # The deploy checks for exactly the four settings above (W004 HSTS, W008 redirect, W012/W016 cookies).
    "SILENCED_SYSTEM_CHECKS": "security.W004,security.W008,security.W012,security.W016",
}


def production_env(base: Mapping[str, str]) -> dict[str, str]:
    """`base` plus DEBUG off (always) and the PLAIN_HTTP defaults (unless `base` sets them)."""
    env = {**PLAIN_HTTP, **base, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "digitsite.settings"}
    if not env.get("SECRET_KEY"):
        env["SECRET_KEY"] = _stored_secret_key(Path(env.get("VAR_DIR") or REPO / "var"))
    return env


def _stored_secret_key(var_dir: Path) -> str:
    """One key per installation, so sessions survive restarts; readable by its owner only."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


def prepare(env: Mapping[str, str]) -> None:
    """Run once, before any worker exists: workers would race each other to migrate."""
    for command in (["migrate", "--noinput"], ["register_shipped_model"], ["collectstatic", "--noinput"], ["check", "--deploy", "--fail-level", "WARNING"]):
        subprocess.run([sys.executable, "manage.py", *command, "-v", "0"], cwd=REPO, env=env, check=True)


def fresh_metrics_dir(env: Mapping[str, str]) -> Path:
    """The workers' Prometheus files (PROMETHEUS_MULTIPROC_DIR, default <VAR_DIR>/prometheus), emptied of
    the last server's: /metrics then counts from this start."""
    path = multiproc.metrics_dir(env)
    multiproc.reset_metrics_dir(path)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])  # defaults come from the environment
    parser.add_argument("--port", type=int, help="port to listen on (default: $PORT, else 8000)")
    parser.add_argument("--workers", type=int, help="gunicorn worker processes (default: $WEB_CONCURRENCY, else 2)")
    args = parser.parse_args(argv)
    env = production_env(os.environ)
    if args.port:
        env["PORT"] = str(args.port)
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    metrics_path = fresh_metrics_dir(env)
    try:
        prepare({k: v for k, v in env.items() if k != multiproc.ENV})  # one-off commands: not the server's figures
    except subprocess.CalledProcessError as err:
        sys.exit(f"serve-prod: `manage.py {err.cmd[2]}` failed; see above")
    env[multiproc.ENV] = str(metrics_path)
    plain = ", ".join(f"{name}={env[name]}" for name in PLAIN_HTTP if name != "SILENCED_SYSTEM_CHECKS")
    print(
        f"serve-prod: DEBUG=false, {plain}; {env.get('WEB_CONCURRENCY', '2')} workers on "
        f"http://{env.get('HOST', '127.0.0.1')}:{env.get('PORT', '8000')}/",
        file=sys.stderr,
        flush=True,
    )
    os.chdir(REPO)
    gunicorn = [sys.executable, "-m", "gunicorn", "--config", "python:ops.gunicorn_conf", "digitsite.wsgi"]
    os.execve(sys.executable, gunicorn, env)  # gunicorn takes this pid: signals reach it directly


if __name__ == "__main__":
    main()
