"""ops.jobs_responsiveness end to end with a tiny retrain: `make run`'s processes (ops.run) on a fresh database,
drawings confirmed through the API, a retrain started by a staff member's POST to the admin, its progress read
from the admin while predictions are sent, and a report of what was seen. The ratio itself is the benchmark's
figure (docs/operations.md), measured with the documented options; it depends on the machine's load, so this
test checks the measurement's parts, not the target."""
import pytest

from ops import jobs_responsiveness

pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.training]  # ~85 s: a real worker retrains
TINY = ["--requests", "20", "--drawings", "40", "--epochs", "1", "--mnist-limit", "1000", "--refresher-scale", "0"]


def test_a_retrain_started_in_the_admin_is_followed_while_predictions_are_timed(mnist_dir):
    report = jobs_responsiveness.main([*TINY, "--mnist-dir", str(mnist_dir)])

    assert report["job_status"] == "succeeded" and report["job_error"] == "", report
    assert report["job_result"]["version"].startswith("ft-") and report["page_shows_result"]
    assert report["retrain_options"] == {"epochs": 1, "mnist_limit": 1000, "refresher_scale": 0.0}
    stages = report["stages_seen"]
    assert "training" in stages and stages.index("training") < stages.index("measuring"), stages
    assert report["epochs_seen"] == [1] and report["loss_seen"]
    assert 0 < report["largest_fraction_seen"] <= 1 and report["progress_reads"] > 0
    assert report["idle_requests"] == 20 and report["p50_idle_ms"] > 0 and report["p50_idle_after_ms"] > 0
    assert set(report["load_average_1m"]) == {"idle_before", "job_start", "job_mean", "job_end", "idle_after"}
    assert report["running_requests"] >= report["training_requests"] > 0 and report["p50_training_ms"] > 0
    assert report["ratio_running"] == round(report["p50_running_ms"] / report["p50_idle_ms"], 2)
