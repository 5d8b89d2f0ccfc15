"""Background jobs without a worker process: enqueueing, the one-training rule, cancelling, the admin's
buttons and progress, and `run_job` itself run in this process on a runner (the import/export path)."""
import re
import threading
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import translation

from digitsite.tasks_config import quick_train_options, tasks_config
from ml.finetune import KEEP_FINE_TUNED
from recognizer.jobs.exceptions import JobCancelled, JobRefused
from recognizer.jobs.forms import RetrainStartForm
from recognizer.jobs.services import job_cancel, job_enqueue
from recognizer.jobs.tasks import run_job
from recognizer.models import Job

pytestmark = pytest.mark.django_db
RUNNER = "tests.recognizer.test_jobs."


def counting_runner(*, job, report):
    """A stand-in import: three steps reported as progress, the count as its result."""
    for done in range(1, 4):
        report(f"step {done}", stage="importing", done=done, total=3)
    return {"imported": job.arguments["count"]}


def failing_runner(*, job, report):
    report("about to fail")
    raise ValueError("labels.csv is missing")


def cancelling_runner(*, job, report):
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)  # staff click Cancel meanwhile
    report("next step")
    return {"never": "reached"}


def test_a_second_training_is_refused_while_one_is_unfinished():
    first = job_enqueue(kind=Job.Kind.TRAIN, arguments={"quick": True})
    assert first.status == Job.Status.QUEUED and first.task_id

    with pytest.raises(JobRefused, match=f"a train job \\({first.pk}\\) is already queued: one training at a time"):
        job_enqueue(kind=Job.Kind.RETRAIN)
    assert Job.objects.count() == 1

    job_cancel(job=first)
    assert job_enqueue(kind=Job.Kind.RETRAIN).status == Job.Status.QUEUED  # allowed once the first is done


def test_imports_do_not_count_as_training_and_need_a_runner():
    job_enqueue(kind=Job.Kind.TRAIN)
    job = job_enqueue(kind=Job.Kind.IMPORT, arguments={"count": 3}, runner=RUNNER + "counting_runner")
    assert job.arguments["runner"].endswith("counting_runner")
    with pytest.raises(JobRefused, match="needs a runner"):
        job_enqueue(kind=Job.Kind.EXPORT)
    with pytest.raises(JobRefused, match="unknown job kind 'bake'"):
        job_enqueue(kind="bake")


@pytest.mark.django_db(transaction=True)
def test_two_staff_starting_a_training_at_once_start_one():
    """The refusal holds under a race: two threads enqueue together, exactly one job exists after.

    On PostgreSQL the second waits for the first's lock and is refused. The SQLite test database is
    in-memory with a shared cache, where a writer fails at once with "database table is locked" instead
    of waiting (the site's file database has a busy timeout). There the lock can also catch the winner
    after its job is committed, while it hands the job to the queue, so only the one job is certain."""
    barrier, outcomes = threading.Barrier(2), []

    def start():
        barrier.wait()
        try:
            outcomes.append(job_enqueue(kind=Job.Kind.RETRAIN).pk)
        except (JobRefused, OperationalError) as err:
            outcomes.append(str(err))
        finally:
            connection.close()

    threads = [threading.Thread(target=start) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Job.objects.filter(kind=Job.Kind.RETRAIN).count() == 1
    started = [o for o in outcomes if not isinstance(o, str)]
    refused = [o for o in outcomes if isinstance(o, str) and "one training at a time" in o]
    if connection.vendor == "sqlite":
        locked = [o for o in outcomes if isinstance(o, str) and "table is locked" in o]
        assert len(started) <= 1 and len(started) + len(refused) + len(locked) == 2, outcomes
    else:
        assert len(started) == 1 and len(refused) == 1, outcomes


def test_run_job_records_progress_log_and_result():
    job = job_enqueue(kind=Job.Kind.IMPORT, arguments={"count": 3}, runner=RUNNER + "counting_runner")
    assert run_job.call(str(job.pk)) == Job.Status.SUCCEEDED
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED and job.result == {"imported": 3}
    assert job.progress == {"stage": "done", "done": 3, "total": 3}
    assert job.log == "step 1\nstep 2\nstep 3\n" and job.started <= job.finished


def test_a_failing_job_keeps_the_error_and_the_traceback_in_its_log():
    job = job_enqueue(kind=Job.Kind.EXPORT, runner=RUNNER + "failing_runner")
    assert run_job.call(str(job.pk)) == Job.Status.FAILED
    job.refresh_from_db()
    assert job.error == "ValueError: labels.csv is missing"
    assert job.log.startswith("about to fail\n") and "Traceback" in job.log and job.result == {}


def test_a_job_stops_at_its_next_report_once_cancelled():
    job = job_enqueue(kind=Job.Kind.IMPORT, runner=RUNNER + "cancelling_runner")
    assert run_job.call(str(job.pk)) == Job.Status.CANCELLED
    job.refresh_from_db()
    assert job.error == "cancelled by staff" and job.result == {} and "next step" in job.log


def test_a_job_cancelled_while_queued_never_runs():
    job = job_enqueue(kind=Job.Kind.IMPORT, arguments={"count": 1}, runner=RUNNER + "counting_runner")
    assert job_cancel(job=job) and job.status == Job.Status.CANCELLED
    assert run_job.call(str(job.pk)) == Job.Status.CANCELLED
    job.refresh_from_db()
    assert job.log == "" and job.started is None
    assert not job_cancel(job=job)  # already finished


def test_the_recorder_raises_when_cancel_is_requested():
    from recognizer.jobs.record import JobRecorder

    job = job_enqueue(kind=Job.Kind.IMPORT, runner=RUNNER + "counting_runner")
    recorder = JobRecorder(job.pk)
    recorder.report("fine", stage="reading")
    Job.objects.filter(pk=job.pk).update(cancel_requested=True)
    with pytest.raises(JobCancelled):
        recorder.report("stopped")


def test_background_commands_queue_a_job_and_return_its_id():
    out = StringIO()
    call_command("train", "--background", "--quick", "--epochs", "1", stdout=out)
    job = Job.objects.get()
    assert out.getvalue().strip() == f"queued train job {job.pk}"
    assert job.kind == Job.Kind.TRAIN and job.arguments == {"quick": True, "epochs": 1}

    with pytest.raises(CommandError, match="one training at a time"):
        call_command("retrain", "--background", stdout=StringIO())
    assert Job.objects.count() == 1


def test_admin_starts_a_retrain_and_refuses_a_second(admin_client):
    response = admin_client.post(reverse("admin:recognizer_job_start", args=["retrain"]))
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == reverse("admin:recognizer_job_change", args=[job.pk])
    assert job.kind == Job.Kind.RETRAIN and job.created_by.is_superuser

    response = admin_client.post(reverse("admin:recognizer_job_start", args=["train"]), follow=True)
    assert "one training at a time" in response.content.decode() and Job.objects.count() == 1
    assert admin_client.get(reverse("admin:recognizer_job_start", args=["train"])).status_code == 405
    assert admin_client.post(reverse("admin:recognizer_job_start", args=["bake"])).status_code == 403


def test_admin_starts_a_retrain_with_the_options_given(admin_client):
    listing = admin_client.get(reverse("admin:recognizer_job_changelist")).content.decode()
    options = ("epochs", "mnist_limit", "refresher_scale", "max_mnist_validation_drop", "promote")
    assert all(f'name="{name}"' in listing for name in options)
    admin_client.post(reverse("admin:recognizer_job_start", args=["retrain"]),
                      {"epochs": "1", "mnist_limit": "5000", "refresher_scale": "0.1",
                       "max_mnist_validation_drop": "0.2", "promote": "never"})
    assert Job.objects.get().arguments == {"epochs": 1, "mnist_limit": 5000, "refresher_scale": 0.1,
                                           "max_mnist_validation_drop": 0.2, "promote": "never"}


@pytest.mark.parametrize("language, words", [("en", "keeps the fine-tuned"), ("de", "behält"), ("fr", "garde"),
                                             ("es", "conserva"), ("it", "mantiene")])
def test_the_retrain_form_names_the_allowance_that_keeps_the_fine_tuned_weights(language, words):
    with translation.override(language):
        help_text = str(RetrainStartForm().fields["max_mnist_validation_drop"].help_text)
    assert f"; {KEEP_FINE_TUNED} {words}" in help_text and "{" not in help_text


@pytest.mark.parametrize("options, error", [
    ({"epochs": "0"}, "epochs: Ensure this value is greater than or equal to 1."),
    ({"mnist_limit": "lots"}, "mnist_limit: Enter a whole number."),
    ({"max_mnist_validation_drop": "101"},
     "max_mnist_validation_drop: Ensure this value is less than or equal to 100."),
    ({"promote": "maybe", "refresher_scale": "-1"},
     "refresher_scale: Ensure this value is greater than or equal to 0.; promote: Select a valid choice. maybe is "
     "not one of the available choices."),
])
def test_admin_refuses_a_retrain_with_a_bad_option(admin_client, options, error):
    response = admin_client.post(reverse("admin:recognizer_job_start", args=["retrain"]), options)
    assert response.status_code == 400 and response.json() == {"status": "error", "error": error}
    assert not Job.objects.exists()


def test_admin_quick_train_uses_the_configured_options(admin_client, settings):
    settings.JOB_QUICK_TRAIN_OPTIONS = {"quick": True, "epochs": 1, "train_limit": 500}
    admin_client.post(reverse("admin:recognizer_job_start", args=["train"]))
    assert Job.objects.get().arguments == {"quick": True, "epochs": 1, "train_limit": 500}


def test_admin_shows_progress_refreshes_and_cancels(admin_client):
    job = job_enqueue(kind=Job.Kind.TRAIN, arguments={"quick": True})
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.RUNNING, log="epoch 1/3 loss 0.5\n",
        progress={"stage": "training", "epoch": 2, "epochs": 3, "loss": 0.3121, "seconds_left": 200, "fraction": 0.5})

    listing = admin_client.get(reverse("admin:recognizer_job_changelist")).content.decode()
    assert '<progress value="0.5" max="1"' in listing and "training, epoch 2/3, loss 0.3121, ~3 min left" in listing
    page = admin_client.get(reverse("admin:recognizer_job_change", args=[job.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="3">' in page and "epoch 1/3 loss 0.5" in page
    assert "Cancel this job" in page
    progress = admin_client.get(reverse("admin:recognizer_job_progress", args=[job.pk])).json()
    assert progress["status"] == "running" and progress["progress"]["epoch"] == 2

    response = admin_client.post(reverse("admin:recognizer_job_cancel", args=[job.pk]), follow=True)
    job.refresh_from_db()
    assert job.cancel_requested and job.status == Job.Status.RUNNING  # the worker ends it at its next check
    assert "Asked the job to stop" in response.content.decode()


def test_a_finished_job_page_does_not_refresh(admin_client):
    job = job_enqueue(kind=Job.Kind.IMPORT, arguments={"count": 1}, runner=RUNNER + "counting_runner")
    run_job.call(str(job.pk))
    page = admin_client.get(reverse("admin:recognizer_job_change", args=[job.pk])).content.decode()
    assert "http-equiv" not in page and "Cancel this job" not in page


def test_staff_without_permission_cannot_start_or_read_jobs(client, django_user_model):
    user = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    client.force_login(user)
    assert client.post(reverse("admin:recognizer_job_start", args=["retrain"])).status_code == 403
    assert Job.objects.count() == 0


@pytest.mark.parametrize("call, message", [
    (lambda: tasks_config("celery", ""), "TASKS_BACKEND must be one of database, rq, not 'celery'"),
    (lambda: quick_train_options("{quick"), "JOB_QUICK_TRAIN_OPTIONS is not JSON"),
    (lambda: quick_train_options("[1]"), "JOB_QUICK_TRAIN_OPTIONS must be a JSON object"),
])
def test_bad_job_settings_name_the_variable(call, message):
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        call()


def test_the_rq_backend_reads_its_own_redis_url():
    tasks, queues, apps = tasks_config("rq", "redis://queue.internal:6379/3")
    assert tasks["default"]["BACKEND"] == "django_tasks_rq.RQBackend"
    assert queues["default"]["URL"] == "redis://queue.internal:6379/3" and "django_rq" in apps


def test_cancelling_a_running_job_twice_closes_it_when_its_worker_is_gone():
    job = job_enqueue(kind=Job.Kind.TRAIN)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING)  # its worker was killed mid-training
    job.refresh_from_db()
    assert job_cancel(job=job) and job.status == Job.Status.RUNNING and job.cancel_requested
    with pytest.raises(JobRefused):
        job_enqueue(kind=Job.Kind.RETRAIN)

    assert job_cancel(job=job) and job.status == Job.Status.CANCELLED
    assert job.error == "cancelled twice: closed without waiting for its worker"
    assert job_enqueue(kind=Job.Kind.RETRAIN).status == Job.Status.QUEUED


def test_the_log_stream_takes_only_the_commands_stage_lines_as_stages():
    from recognizer.jobs.record import JobRecorder, LogStream

    job = job_enqueue(kind=Job.Kind.RETRAIN)
    stream = LogStream(JobRecorder(job.pk))
    stream.write("mix: 1,200 images + 80 drawings x3; 1 epoch(s) of 10 steps\n")
    stages = [Job.objects.get(pk=job.pk).progress["stage"]]
    stream.write("fixed: the active model gets it wrong, the candidate right; broken: the reverse\n")
    stream.write("promotion gate: refused (too few held-out drawings)\n")
    job.refresh_from_db()
    assert stages == ["mix"] and job.progress == {"stage": "mix"}
    assert job.log.splitlines() == ["mix: 1,200 images + 80 drawings x3; 1 epoch(s) of 10 steps",
                                    "fixed: the active model gets it wrong, the candidate right; broken: the reverse",
                                    "promotion gate: refused (too few held-out drawings)"]
