"""Where Prometheus's per-process files live when several processes serve (prometheus-client's
multiprocess mode): each gunicorn worker writes its own, and /metrics adds them all up.

PROMETHEUS_MULTIPROC_DIR must be in a process's environment before prometheus-client is imported, so
the launchers set it (`make serve-prod` for gunicorn, manage.py for train/retrain), never settings.py.
"""
from collections.abc import Mapping
from pathlib import Path

ENV = "PROMETHEUS_MULTIPROC_DIR"
SUBDIR = "prometheus"  # under VAR_DIR
DEFAULT_VAR_DIR = Path(__file__).resolve().parent.parent / "var"  # as in settings.py


def metrics_dir(environ: Mapping[str, str]) -> Path:
    """PROMETHEUS_MULTIPROC_DIR if the environment sets it, else <VAR_DIR>/prometheus."""
    if environ.get(ENV):
        return Path(environ[ENV])
    return Path(environ.get("VAR_DIR") or DEFAULT_VAR_DIR) / SUBDIR


def reset_metrics_dir(path: Path) -> None:
    """Creates `path`, or empties it of a previous server's files (its counters would otherwise be added to
    the new server's). Only prometheus-client's own `*.db` files are removed, whatever directory is given."""
    path.mkdir(parents=True, exist_ok=True)
    for stale in path.glob("*.db"):
        stale.unlink()
