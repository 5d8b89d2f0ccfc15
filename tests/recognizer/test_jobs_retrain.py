"""A retrain run as a job by `run_job` in this process (what a worker does): the fine-tuning reports its
epochs and loss through the job's Keras callback, the log keeps the command's output, and the job points
at the version it registered; cancelled between batches, it registers nothing."""
import pytest

from recognizer.jobs.services import job_enqueue
from recognizer.jobs.tasks import run_job
from recognizer.models import Job, ModelVersion
from tests.recognizer.test_retrain import confirm_drawings, mnist_train, model_dir, reviewer  # noqa: F401  fixtures

pytestmark = [pytest.mark.django_db, pytest.mark.training, pytest.mark.slow]
QUICK = {"epochs": 2, "mnist_limit": 4000, "min_labels": 10, "refresher_scale": 0.05, "promote": "never"}


@pytest.fixture(autouse=True)
def _pytest_keeps_its_cpus(settings):
    """run_job runs here, in pytest's process: narrowing and nicing it would slow every later test
    (recognizer/jobs/cpu.py is tested in a child process, test_jobs_cpu.py)."""
    settings.JOB_LIMIT_CPU = False


def test_a_retrain_job_reports_progress_and_links_its_version(mnist_train, reviewer, model_dir):  # noqa: F811
    confirm_drawings(mnist_train, reviewer, tilted=30, upright=10)
    job = job_enqueue(kind=Job.Kind.RETRAIN, arguments=QUICK, user=reviewer)

    assert run_job.call(str(job.pk)) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    version = ModelVersion.objects.get(name=job.result["version"])
    assert job.model_version == version and job.result["active"] is False and not version.is_active
    assert job.progress["epochs"] == 2 and job.progress["epoch"] == 2 and job.progress["stage"] == "done"
    assert job.progress["steps"] > 0 and job.progress["step"] == job.progress["steps"] and job.progress["loss"] > 0
    assert "epoch  2/2" in job.log and "promotion gate" in job.log and job.error == ""


def test_a_cancelled_retrain_job_registers_nothing(mnist_train, reviewer, model_dir, monkeypatch):  # noqa: F811
    """Staff cancel while the first epoch runs: the flag is set from inside the first batch report."""
    from recognizer.jobs import record

    confirm_drawings(mnist_train, reviewer, tilted=30, upright=10)
    job = job_enqueue(kind=Job.Kind.RETRAIN, arguments=QUICK)
    versions = ModelVersion.objects.count()
    real_check = record.JobRecorder.check_cancel

    def cancel_on_first_batch(self, *, force=False):
        if self.progress.get("stage") == "training":
            Job.objects.filter(pk=self.job_id).update(cancel_requested=True)
        return real_check(self, force=True)

    monkeypatch.setattr(record.JobRecorder, "check_cancel", cancel_on_first_batch)
    assert run_job.call(str(job.pk)) == Job.Status.CANCELLED
    job.refresh_from_db()
    assert job.error == "cancelled by staff" and job.model_version is None and job.progress["epoch"] == 1
    assert ModelVersion.objects.count() == versions
    assert not model_dir.exists() or list(model_dir.iterdir()) == []
