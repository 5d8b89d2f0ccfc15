"""GET /metrics: who may read it, and figures that agree with the database.

Counters are process-wide, so every check compares two scrapes of the real endpoint, before and after.
"""
import base64
import shutil
import time

import pytest
from django.db import transaction
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from ml.artifacts import SHIPPED_DIR, read_metrics
from ml.report import Report
from recognizer import metrics, services
from recognizer.models import Drawing
from recognizer.predictors import predictor_for

pytestmark = pytest.mark.django_db

TOKEN = "scrape-" + "t0k3n" * 8
AUTH = {"Authorization": f"Bearer {TOKEN}"}

Samples = dict[tuple[str, frozenset], float]


@pytest.fixture
def production_metrics(settings):
    """Production (the test runner's DEBUG=False) with a token set."""
    settings.DEBUG = False
    settings.METRICS_TOKEN = TOKEN


def scrape(client: Client) -> Samples:
    response = client.get("/metrics", headers=AUTH)
    assert response.status_code == 200, response.content[:200]
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def total(samples: Samples, name: str, **labels: str) -> float:
    """Sum of `name` over every series whose labels include `labels`."""
    wanted = set(labels.items())
    return sum(value for (sample, series), value in samples.items() if sample == name and wanted <= series)


def change(before: Samples, after: Samples, name: str, **labels: str) -> float:
    return total(after, name, **labels) - total(before, name, **labels)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


# --- who may read it ----------------------------------------------------------------------------------


@pytest.mark.parametrize("address, status", [("127.0.0.1", 200), ("::1", 200), ("10.1.2.3", 404), ("192.168.0.9", 404)])
def test_with_debug_on_only_the_loopback_address_may_read_metrics(client, settings, address, status):
    settings.DEBUG = True
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics", REMOTE_ADDR=address).status_code == status


def test_in_production_metrics_are_hidden_while_no_token_is_set(client, settings):
    settings.DEBUG, settings.METRICS_TOKEN = False, ""

    assert client.get("/metrics", headers=AUTH).status_code == 404  # even from loopback, even with a header


@pytest.mark.parametrize("header", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "Bearer "])
def test_in_production_metrics_need_the_bearer_token(client, production_metrics, header):
    response = client.get("/metrics", headers={"Authorization": header} if header else {})

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert b"digits_predictions" not in response.content


def test_in_production_the_token_gives_prometheus_text(client, production_metrics):
    response = client.get("/metrics", headers=AUTH, REMOTE_ADDR="10.1.2.3")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert {"digits_predictions", "digits_prediction_confidence", "digits_model_load_seconds",
            "django_http_requests_latency_seconds_by_view_method"} <= names


def test_a_scraper_asking_for_openmetrics_gets_it(client, production_metrics):
    accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"  # as Prometheus asks
    response = client.get("/metrics", headers={**AUTH, "Accept": accept})

    assert response["Content-Type"].startswith("application/openmetrics-text; version=1.0.0")
    assert response.content.rstrip().endswith(b"# EOF")


def test_metrics_answer_get_only(client, production_metrics):
    assert client.post("/metrics", headers=AUTH).status_code == 405


# --- figures agree with the database ------------------------------------------------------------------


def test_prediction_and_feedback_counters_agree_with_the_database(
    client, production_metrics, staff_client, digit_image, django_capture_on_commit_callbacks
):
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True):
        singles = [client.post("/api/predictions/", {"image": b64(digit_image(d))}, content_type="application/json")
                   for d in (0, 1, 2, 3, 7)]
        batch = client.post("/api/predictions/batch/", {"images": [b64(digit_image(5)), "%%%", b64(digit_image(6))]},
                            content_type="application/json")
        ids = [r.json()["id"] for r in singles]
        feedback = [(ids[0], {"label": 0}), (ids[1], {"label": 4}), (ids[2], {"not_a_digit": True})]
        for drawing_id, body in feedback:
            assert client.post(f"/api/predictions/{drawing_id}/feedback/", body, content_type="application/json").status_code == 200
        assert staff_client.patch(f"/api/predictions/{ids[3]}/", {"confirmed_label": 3}, format="json").status_code == 200
        assert staff_client.patch(f"/api/predictions/{ids[4]}/", {"confirmed_not_a_digit": True}, format="json").status_code == 200
    after = scrape(client)

    assert [r.status_code for r in singles] == [201] * 5 and batch.status_code == 201
    drawings = list(Drawing.objects.select_related("model_version"))
    assert change(before, after, "digits_predictions_total") == len(drawings) == 7
    assert change(before, after, "digits_prediction_confidence_count") == len(drawings)
    for digit in range(10):
        stored = sum(1 for d in drawings if d.predicted_digit == digit)
        assert change(before, after, "digits_predictions_total", digit=str(digit)) == stored
    version = drawings[0].model_version.name
    assert change(before, after, "digits_predictions_total", model_version=version) == len(drawings)
    assert change(before, after, "digits_feedback_total", kind="label") == Drawing.objects.filter(suggested_label__isnull=False).count() == 2
    assert change(before, after, "digits_feedback_total", kind="not_a_digit") == Drawing.objects.filter(suggested_not_a_digit=True).count() == 1
    said_otherwise = [d for d in drawings if d.suggested_label is not None and d.suggested_label != d.predicted_digit]
    assert change(before, after, "digits_feedback_total", kind="label", agrees="false") == len(said_otherwise) == 1
    assert change(before, after, "digits_confirmations_total", kind="label") == Drawing.objects.filter(confirmed_label__isnull=False).count() == 1
    assert change(before, after, "digits_confirmations_total", kind="not_a_digit") == Drawing.objects.filter(confirmed_not_a_digit=True).count() == 1


def test_a_prediction_rolled_back_is_not_counted(client, production_metrics, digit_image, django_capture_on_commit_callbacks):
    before = scrape(client)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            services.drawing_create(image=digit_image(8), source="api")
            raise RuntimeError("the caller's transaction fails after the drawing was saved")

    assert not Drawing.objects.exists()
    assert change(before, scrape(client), "digits_predictions_total") == 0


def test_request_latency_is_recorded_per_view(client, production_metrics, digit_image):
    before = scrape(client)
    client.post("/api/predictions/", {"image": b64(digit_image(4))}, content_type="application/json")
    client.generic("BREW", "/api/predictions/")  # a made-up method must not become a label value
    after = scrape(client)

    name = "django_http_requests_latency_seconds_by_view_method_count"
    assert change(before, after, name, view="recognizer:prediction-list", method="POST") == 1
    assert change(before, after, name, view="recognizer:prediction-list", method="<invalid method>") == 1
    assert not any(dict(series).get("method") == "BREW" for _, series in after)


def test_loading_a_model_is_timed(client, production_metrics, tmp_path):
    work = tmp_path / "work"
    shutil.copytree(SHIPPED_DIR, work)
    report = {**Report.from_dict(read_metrics(SHIPPED_DIR)).to_dict(), "version": "copy-for-load-timing"}
    version = services.model_version_register(work_dir=work, destination=tmp_path / "copy", metrics=report)
    before = scrape(client)
    started = time.perf_counter()
    predictor_for(version)  # a file this process has not loaded yet
    elapsed = time.perf_counter() - started
    after = scrape(client)

    assert change(before, after, "digits_model_load_seconds_count") == 1
    assert 0 < change(before, after, "digits_model_load_seconds_sum") <= elapsed


# --- train/retrain jobs (manage.py wraps them in job_timer) -------------------------------------------


def test_a_job_that_succeeds_is_timed_and_not_counted_as_failed(client, production_metrics):
    before = scrape(client)
    with metrics.job_timer("retrain"):
        pass
    after = scrape(client)

    assert change(before, after, "digits_job_duration_seconds_count", job="retrain") == 1
    assert change(before, after, "digits_job_failures_total", job="retrain") == 0


@pytest.mark.parametrize("failure", [SystemExit(1), RuntimeError("disk full")])
def test_a_job_that_fails_is_timed_and_counted(client, production_metrics, failure):
    before = scrape(client)
    with pytest.raises(type(failure)), metrics.job_timer("train"):
        raise failure
    after = scrape(client)

    assert change(before, after, "digits_job_duration_seconds_count", job="train") == 1
    assert change(before, after, "digits_job_failures_total", job="train") == 1


def test_help_is_not_a_job_run(client, production_metrics):
    before = scrape(client)
    with pytest.raises(SystemExit), metrics.job_timer("train"):
        raise SystemExit(0)  # what `manage.py train --help` ends with

    assert change(before, scrape(client), "digits_job_duration_seconds_count", job="train") == 0
