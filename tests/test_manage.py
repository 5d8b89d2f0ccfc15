"""manage.py times `train` and `retrain` runs and counts their failures in the server's metrics directory."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, multiprocess

REPO = Path(__file__).resolve().parents[1]


def job_samples(metrics_dir: Path) -> dict[tuple[str, str], float]:
    """(sample name, job) → value, added up over the directory's files, as /metrics would."""
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=str(metrics_dir))
    return {
        (sample.name, sample.labels.get("job")): sample.value
        for metric in registry.collect() if metric.name.startswith("digits_job")
        for sample in metric.samples
    }


@pytest.mark.server  # a Django process that imports TensorFlow (~8 s)
@pytest.mark.slow
def test_a_failed_train_run_is_timed_and_counted_in_the_servers_metrics_directory(tmp_path):
    var_dir = tmp_path / "var"
    (var_dir / "prometheus").mkdir(parents=True)  # as `make serve-prod` leaves it
    env = {k: v for k, v in os.environ.items() if k not in ("PROMETHEUS_MULTIPROC_DIR", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env["VAR_DIR"] = str(var_dir)
    result = subprocess.run(
        [sys.executable, "manage.py", "train", "--mnist-dir", str(tmp_path / "no-mnist-here"), "--output", str(tmp_path / "out")],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=180,
    )

    assert result.returncode == 1 and "nothing was registered" in result.stderr, result.stderr
    samples = job_samples(var_dir / "prometheus")
    assert samples[("digits_job_failures_total", "train")] == 1
    assert samples[("digits_job_duration_seconds_count", "train")] == 1
    assert samples[("digits_job_duration_seconds_sum", "train")] > 0
