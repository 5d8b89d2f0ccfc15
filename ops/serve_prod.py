"""`make serve-prod`: the production configuration, served by gunicorn on loopback over plain HTTP.

Production proper sits behind TLS. A laptop or CI box has none, so the settings that insist on
HTTPS get their plain-HTTP values here (PLAIN_HTTP, each with its reason), and exactly the deploy
checks those trip are silenced. Everything else is as in production: DEBUG off, SECRET_KEY required
(kept in VAR_DIR/secret_key when the environment has none), hashed static files via WhiteNoise.
Before gunicorn starts: migrate, register the shipped model and `check --deploy` (any warning stops the
start), and beside them collectstatic (skipped when no static file changed since the last run). This
process imports Django once: the two preparations run in forked children at the same time (so what they
load never reaches the workers' memory, and a first start waits for the slower of the two, not both),
then this process becomes gunicorn's master and loads the application itself (preload_app). From
`make serve-prod` to the first answered prediction took ~5 s with a fresh interpreter per step; `make
bench` measures it now.
The workers keep their Prometheus figures in PROMETHEUS_MULTIPROC_DIR (<VAR_DIR>/prometheus), emptied at each start.
"""
import argparse
import hashlib
import os
import secrets
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


STATIC_STAMP = ".serve-prod-sources"  # in STATIC_ROOT: the fingerprint of the sources last collected


def prepare_database() -> None:
    """Run once, in the process that becomes gunicorn's master, before any worker exists (workers would race
    each other to migrate). Django must be set up. Raises CommandError or SystemCheckError on failure."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command("register_shipped_model", verbosity=0)
    call_command("check", deploy=True, fail_level="WARNING", verbosity=0)


def collectstatic_if_changed() -> bool:
    """collectstatic (hashing and compressing every file takes seconds), unless the static sources are the
    very files (paths, sizes, modification times) of the last successful run and its manifest is there.
    Returns whether it ran."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.management import call_command

    root = Path(settings.STATIC_ROOT)
    stamp, fingerprint = root / STATIC_STAMP, static_sources_fingerprint()
    manifest_missing = isinstance(staticfiles_storage, ManifestFilesMixin) and not (
        root / staticfiles_storage.manifest_name
    ).is_file()
    if stamp.is_file() and stamp.read_text() == fingerprint and not manifest_missing:
        return False
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(fingerprint)
    return True


def static_sources_fingerprint() -> str:
    """SHA-256 over what collectstatic would collect (every finder's files, as it lists them) and how."""
    from django.apps import apps
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    ignore = apps.get_app_config("staticfiles").ignore_patterns
    entries = []
    for finder in get_finders():
        for path, storage in finder.list(ignore):
            source = storage.path(path)
            stat = os.stat(source)
            destination = f"{getattr(storage, 'prefix', None) or ''}/{path}"
            entries.append(f"{destination}\0{source}\0{stat.st_size}\0{stat.st_mtime_ns}")
    digest = hashlib.sha256(repr(settings.STORAGES["staticfiles"]).encode())
    for entry in sorted(entries):
        digest.update(entry.encode("utf-8", "surrogateescape") + b"\n")
    return digest.hexdigest()


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
    # Before Django (and prometheus-client, which reads it once) is imported: this process serves.
    env[multiproc.ENV] = str(fresh_metrics_dir(env))
    os.environ.update(env)
    os.chdir(REPO)
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    if not prepared_in_children():
        sys.exit("serve-prod: preparing failed; see above")
    fresh_metrics_dir(env)  # what the one-off commands counted (a model load) is not the server's
    plain = ", ".join(f"{name}={env[name]}" for name in PLAIN_HTTP if name != "SILENCED_SYSTEM_CHECKS")
    print(
        f"serve-prod: DEBUG=false, {plain}; {env.get('WEB_CONCURRENCY', '2')} workers on "
        f"http://{env.get('HOST', '127.0.0.1')}:{env.get('PORT', '8000')}/",
        file=sys.stderr,
        flush=True,
    )
    run_gunicorn()


def prepared_in_children() -> bool:
    """`prepare_database()` and `collectstatic_if_changed()` at once, each in a forked child that inherits the
    imported Django and takes what its commands load (migrations, the check framework, collectstatic's
    storage) with it when it exits. True if both succeeded."""
    children = [_forked(prepare_database), _forked(collectstatic_if_changed)]
    return all([os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0 for pid in children])


def _forked(step) -> int:
    """The pid of a child running `step`; the child exits 0 if it returned, 1 (saying why) if it raised."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        from django.core.management import CommandError
        from django.core.management.base import SystemCheckError

        try:
            step()
            code = 0
        except (CommandError, SystemCheckError) as err:
            print(f"serve-prod: {err}", file=sys.stderr)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def run_gunicorn() -> None:
    """gunicorn's own entry point, in this process (its pid is the master's: signals reach it directly)."""
    from gunicorn.app.wsgiapp import run

    sys.argv = ["gunicorn", "--config", "python:ops.gunicorn_conf", "digitsite.wsgi"]
    run(prog="gunicorn")


if __name__ == "__main__":
    main()
