"""The staff monitoring page (/admin/monitoring/): every figure equals what the test counts itself.

Drawings are real MNIST digits and synthetic doodles, predicted by the shipped model through the
services (two registered versions of it, so accuracy splits by version), with real user suggestions and
staff confirmations. Only `created` is moved back by an UPDATE, since the services stamp "now". The
expected figures are computed in Python from the rows, with the rule written out here, not with the
page's SQL.
"""
import time as time_module
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from html.parser import HTMLParser

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from prometheus_client import CollectorRegistry, Histogram

from ml.artifacts import SHIPPED_DIR, read_metrics
from ml.canvas import encode, to_image
from ml.negatives import doodle_ink
from ml.report import Report
from recognizer import services
from recognizer.models import Drawing
from recognizer.monitoring import plots
from recognizer.monitoring.forms import MAX_DAYS
from recognizer.monitoring.latency import METRIC, histogram_quantile, prediction_latency
from recognizer.percent import format_percent

pytestmark = pytest.mark.django_db

URL = "/admin/monitoring/"
TODAY = datetime.now(UTC).date()  # the page counts UTC days
DAY_A, DAY_B = TODAY - timedelta(days=3), TODAY - timedelta(days=1)
LONG_AGO = TODAY - timedelta(days=40)  # outside the default 30-day range


# --- the data --------------------------------------------------------------------------------------------


@pytest.fixture
def second_version():
    """The shipped model file registered again under another name, as an import would."""
    report = Report.from_dict(read_metrics(SHIPPED_DIR))
    report.version = "monitoring-second"
    return services.model_version_register(work_dir=SHIPPED_DIR, destination=SHIPPED_DIR, metrics=report.to_dict())


@pytest.fixture
def doodle_png():
    rng = np.random.default_rng(13)
    return lambda: encode(to_image(doodle_ink(rng)), "PNG")


@pytest.fixture
def history(digit_image, doodle_png, staff_user, second_version, shipped_model):
    """Four days of predictions by two versions, with feedback and confirmations of every kind."""
    made = defaultdict(list)

    def predict(day, images):
        drawings = [services.drawing_create(image=image, source="api") for image in images]
        Drawing.objects.filter(pk__in=[d.pk for d in drawings]).update(created=_noon(day))
        made[day].extend(drawings)
        return drawings

    predict(LONG_AGO, [digit_image(5)])
    a = predict(DAY_A, [digit_image(d) for d in (0, 1, 2, 3, 4, 5)] + [doodle_png() for _ in range(3)])
    services.drawing_suggest_label(drawing=a[0], label=0)  # agrees (if the model read a 0)
    services.drawing_suggest_label(drawing=a[1], label=(a[1].predicted_digit + 1) % 10)  # a correction
    services.drawing_suggest_not_a_digit(drawing=a[6])
    services.drawing_confirm_label(drawing=a[0], label=0, user=staff_user)
    services.drawing_confirm_label(drawing=a[1], label=1, user=staff_user)
    services.drawing_confirm_label(drawing=a[2], label=(a[2].predicted_digit + 1) % 10, user=staff_user)  # wrong
    services.drawing_confirm_not_a_digit(drawing=a[6], user=staff_user)
    services.drawing_confirm_not_a_digit(drawing=a[3], user=staff_user)  # a digit "confirmed" as none

    services.model_version_activate(version=second_version)
    b = predict(DAY_B, [digit_image(d, nth=1) for d in (6, 7, 8)] + [doodle_png()])
    services.drawing_suggest_not_a_digit(drawing=b[0])
    services.drawing_confirm_label(drawing=b[1], label=7, user=staff_user)
    services.drawing_confirm_label(drawing=b[2], label=8, user=staff_user)

    services.model_version_activate(version=shipped_model)
    predict(TODAY, [digit_image(9, nth=2), digit_image(4, nth=2)])
    return made


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12), tzinfo=UTC)


# --- the figures, counted independently ------------------------------------------------------------------


def model_answer(d: Drawing):
    return "not a digit" if d.is_digit is False else d.predicted_digit


def expected(start: date, end: date, *, version: str | None = None) -> dict[date, dict]:
    """Per day: predictions, confidences, and the people's answers compared with the model's."""
    days: dict[date, dict] = {}
    for d in Drawing.objects.select_related("model_version"):
        day = d.created.astimezone(UTC).date()
        if not start <= day <= end or version not in (None, d.model_version.name):
            continue
        row = days.setdefault(day, defaultdict(int, confidences=[]))
        row["predictions"] += 1
        row["confidences"].append(d.confidence)
        row["not_a_digit"] += d.is_digit is False
        suggested = "not a digit" if d.suggested_not_a_digit else d.suggested_label
        confirmed = "not a digit" if d.confirmed_not_a_digit else d.confirmed_label
        row["feedback"] += suggested is not None
        row["corrected"] += suggested is not None and suggested != model_answer(d)
        row["confirmed"] += confirmed is not None
        row["confirmed_correct"] += confirmed is not None and confirmed == model_answer(d)
    return days


def share(part, whole):
    return format_percent(part / whole) if whole else "–"


def display(row: dict) -> dict[str, str]:
    """A table row of the page, as the page must print it."""
    n = row["predictions"]
    return {
        "predictions": f"{n:,}",
        "mean_confidence": share(sum(row["confidences"]), n),
        "not_a_digit": f"{share(row['not_a_digit'], n)} ({row['not_a_digit']})",
        "corrected": f"{share(row['corrected'], n)} ({row['corrected']})",
        "confirmed": str(row["confirmed"]),
        "accuracy": f"{share(row['confirmed_correct'], row['confirmed'])} ({row['confirmed_correct']} of {row['confirmed']})",
    }


def summed(days: dict[date, dict]) -> dict:
    total = defaultdict(int, confidences=[])
    for row in days.values():
        for key, value in row.items():
            total[key] += value
    return total


class Tables(HTMLParser):
    """The page's table cells: {(table id, row key): {cell class: text}}."""

    def __init__(self, html: str):
        super().__init__()
        self.cells: dict[tuple[str, str], dict[str, str]] = {}
        self._table = self._row = self._cell = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table":
            self._table = attrs.get("id")
        elif tag == "tr":
            key = attrs.get("data-day") or attrs.get("data-version") or attrs.get("data-endpoint")
            self._row = (self._table, key) if key else None
        elif tag == "td" and self._row:
            self._cell = (attrs.get("class") or "").replace("n ", "")
            self.cells.setdefault(self._row, {})[self._cell] = ""

    def handle_endtag(self, tag):
        if tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._row and self._cell:
            self.cells[self._row][self._cell] += data


# --- the page --------------------------------------------------------------------------------------------


def test_the_history_has_every_kind_of_figure(history):
    """Guards the other tests: with all of these zero, 'figures agree' would prove little."""
    total = summed(expected(DAY_A, TODAY))
    assert total["not_a_digit"] > 0 and total["corrected"] > 0
    assert 0 < total["confirmed_correct"] < total["confirmed"]
    assert total["feedback"] > total["corrected"]


def test_every_day_on_the_page_equals_the_rows(admin_client, history):
    start = TODAY - timedelta(days=29)
    response = admin_client.get(URL)

    assert response.status_code == 200
    cells = Tables(response.content.decode()).cells
    want = expected(start, TODAY)
    for n in range((TODAY - start).days + 1):
        day = start + timedelta(days=n)
        row = cells[("day-table", day.isoformat())]
        if day in want:
            assert row | display(want[day]) == row, day
            assert row["feedback"] == str(want[day]["feedback"])
        else:
            assert row["predictions"] == "0" and row["accuracy"] == "– (0 of 0)"
    assert ("day-table", LONG_AGO.isoformat()) not in cells


def test_every_version_and_the_total_equal_the_rows(admin_client, second_version, history):
    cells = Tables(admin_client.get(URL).content.decode()).cells
    start = TODAY - timedelta(days=29)

    for name in (second_version.name, Drawing.objects.get(pk=history[TODAY][0].pk).model_version.name):
        got = cells[("version-table", name)]
        assert got | display(summed(expected(start, TODAY, version=name))) == got, name
    got = cells[("version-table", "all")]
    assert got | display(summed(expected(start, TODAY))) == got


def test_json_gives_the_same_figures(admin_client, second_version, history):
    response = admin_client.get(URL, {"start": DAY_A.isoformat(), "end": DAY_B.isoformat(), "format": "json"})

    assert response.status_code == 200
    body = response.json()
    assert [row["day"] for row in body["days"]] == [(DAY_A + timedelta(days=n)).isoformat() for n in range(3)]
    want = expected(DAY_A, DAY_B)
    for row in body["days"]:
        check_counts(row, want.get(date.fromisoformat(row["day"])))
    check_counts(body["total"], summed(want))
    versions = {row["version"]: row for row in body["versions"]}
    assert set(versions) == {d.model_version.name for day in (DAY_A, DAY_B) for d in history[day]}
    for name, row in versions.items():
        per_day = expected(DAY_A, DAY_B, version=name)
        check_counts(row, summed(per_day))
        assert [d["day"] for d in row["days"]] == [day.isoformat() for day in sorted(per_day)]


def check_counts(got: dict, want: dict | None):
    want = want or defaultdict(int, confidences=[])
    n = want["predictions"]
    for key in ("predictions", "not_a_digit", "feedback", "corrected", "confirmed", "confirmed_correct"):
        assert got[key] == want[key], key
    assert got["mean_confidence"] == (pytest.approx(np.mean(want["confidences"])) if n else None)
    assert got["not_a_digit_rate"] == (pytest.approx(want["not_a_digit"] / n) if n else None)
    assert got["corrected_rate"] == (pytest.approx(want["corrected"] / n) if n else None)
    c = want["confirmed"]
    assert got["accuracy"] == (pytest.approx(want["confirmed_correct"] / c) if c else None)


def test_the_page_draws_every_plot_inline(admin_client, history):
    html = admin_client.get(URL).content.decode()

    for section in ("accuracy", "rates", "confidence", "volume"):
        part = html.split(f'<section id="{section}">')[1].split("</section>")[0]
        assert "<svg" in part and "<title>" in part, section
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html and "<script src=" not in html.replace('src="/static/', "")


def test_an_empty_database_says_there_is_no_data(admin_client):
    response = admin_client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-data"' in html
    assert f'value="{TODAY - timedelta(days=29)}"' in html and f'value="{TODAY}"' in html  # the range in effect
    assert response.context["figures"].total.predictions == 0
    body = admin_client.get(URL, {"format": "json"}).json()
    assert body["total"]["predictions"] == 0 and body["total"]["accuracy"] is None


@pytest.mark.fresh_database
def test_a_database_without_any_model_version_still_answers(admin_client):
    assert 'id="no-data"' in admin_client.get(URL).content.decode()


# --- the date range --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query, message",
    [
        ({"start": "2026-13-45"}, "Enter a valid date."),
        ({"end": "yesterday"}, "Enter a valid date."),
        ({"start": DAY_B.isoformat(), "end": DAY_A.isoformat()}, f"The start date {DAY_B} is after the end date {DAY_A}."),
        ({"start": (TODAY - timedelta(days=MAX_DAYS)).isoformat()}, f"at most {MAX_DAYS} are shown at once"),
        ({"end": (TODAY + timedelta(days=2)).isoformat()}, "is in the future"),
        ({"start": "0001-01-01", "end": "9999-12-31"}, "is in the future"),
        ({"format": "xml"}, "Select a valid choice."),
    ],
)
def test_a_bad_date_range_is_the_forms_error(admin_client, query, message):
    response = admin_client.get(URL, query)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert "figures" not in response.context
    answer = admin_client.get(URL, {"format": "json", **query})
    if query.get("format") != "xml":
        assert answer.status_code == 400 and message in answer.json()["error"]


def test_a_range_picks_its_days_only(admin_client, history):
    body = admin_client.get(URL, {"start": DAY_B.isoformat(), "end": DAY_B.isoformat(), "format": "json"}).json()

    assert [row["day"] for row in body["days"]] == [DAY_B.isoformat()]
    assert body["total"]["predictions"] == len(history[DAY_B])
    longest = {"start": (TODAY - timedelta(days=MAX_DAYS - 1)).isoformat(), "format": "json"}
    body = admin_client.get(URL, longest).json()
    assert len(body["days"]) == MAX_DAYS
    assert body["total"]["predictions"] == sum(len(drawings) for drawings in history.values())


# --- who may see it --------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_the_admin_login(client):
    response = client.get(URL, {"format": "json"})

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_signed_in_users_who_are_not_staff_are_sent_to_the_admin_login(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("visitor", password="pw-visitor-1"))

    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_the_admin_index_links_to_the_page(admin_client):
    assert f'href="{URL}"' in admin_client.get(reverse("admin:index")).content.decode()


# --- latency (from the Prometheus histograms: the database stores none) ----------------------------------


def test_latency_counts_the_prediction_requests_this_server_answered(admin_client, client, digit_image):
    before = {row.endpoint: row.count for row in prediction_latency()}
    for _ in range(3):
        assert client.post("/api/predictions/", {"image": upload(digit_image(2))}).status_code == 201
    assert client.post("/predict", {"image": upload(digit_image(3))}).status_code == 200

    after = {row.endpoint: row for row in prediction_latency()}
    assert after["POST /api/predictions/"].count - before.get("POST /api/predictions/", 0) == 3
    assert after["POST /predict"].count - before.get("POST /predict", 0) == 1
    html = admin_client.get(URL).content.decode()
    cells = Tables(html).cells
    assert cells[("latency-table", "POST /api/predictions/")]["count"] == str(after["POST /api/predictions/"].count)
    p50, p95, p99 = (after["POST /api/predictions/"].percentiles[q] for q in (0.5, 0.95, 0.99))
    assert 0 < p50 <= p95 <= p99 <= 10


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("digit.png", data, content_type="image/png")


def test_percentiles_interpolate_inside_buckets_as_promql_does():
    registry = CollectorRegistry()
    histogram = Histogram(METRIC, "test", ["view", "method"], buckets=(0.01, 0.02, 0.05), registry=registry)
    for seconds, times in ((0.005, 50), (0.015, 40), (0.03, 9), (7.0, 1)):
        for _ in range(times):
            histogram.labels("recognizer:prediction-list", "POST").observe(seconds)
    histogram.labels("recognizer:prediction-list", "GET").observe(9.0)  # not a prediction

    (row,) = prediction_latency(registry)

    assert row.count == 100
    # p50: the 50th of 100 observations is the last in the first bucket, 0..10 ms.
    assert row.percentiles[0.5] == pytest.approx(0.010)
    # p95: rank 95 is 5 into the third bucket (20..50 ms, 9 observations): 20 + 30 * 5/9 ms.
    assert row.percentiles[0.95] == pytest.approx(0.020 + 0.030 * 5 / 9)
    # p99: rank 99 is the last of the third bucket, 50 ms.
    assert row.percentiles[0.99] == pytest.approx(0.050)
    assert histogram_quantile(0.999, [(0.01, 50), (0.02, 90), (0.05, 99), (float("inf"), 100)]) == 0.05


# --- plots -----------------------------------------------------------------------------------------------


def test_a_missing_day_breaks_the_line_and_long_legends_wrap():
    days = [TODAY + timedelta(days=n) for n in range(5)]
    svg = plots.line_chart(label="t", days=days, series={"a": [0.5, 0.6, None, 0.7, 0.8]})

    assert svg.count("<polyline") == 2 and svg.count("<circle") == 4
    assert f"{days[3]} · a: 70.0\u00a0%" in svg  # recognizer/percent.py: a no-break space
    names = [f"version-{n}-with-a-long-name" for n in range(6)]
    wide = plots.line_chart(label="t", days=days, series={name: [0.9] * 5 for name in names})
    height = int(wide.split('viewBox="0 0 ')[1].split('"')[0].split()[1])
    assert height > plots.HEIGHT


# --- scale ------------------------------------------------------------------------------------------------

SCALE = 100_000


@pytest.mark.slow
def test_the_page_takes_well_under_a_second_for_100k_drawings(admin_client, drawing, digit_image):
    """Rows as large as real ones (50 real canvas PNGs as the uploads), spread over 30 days with every
    kind of feedback; the page's single grouped query does the counting."""
    uploads = [digit_image(n % 10, nth=n // 10) for n in range(50)]
    rng = np.random.default_rng(100)
    confirmed = rng.integers(-1, 10, SCALE)  # -1: unconfirmed
    rows = [
        Drawing(
            image=uploads[i % len(uploads)], content_type="image/png", input_png=bytes(drawing.input_png),
            predicted_digit=int(rng.integers(10)), confidence=float(rng.uniform(0.5, 1)),
            probabilities=drawing.probabilities, model_version=drawing.model_version, source="api",
            created=_noon(TODAY - timedelta(days=int(i % 30))), is_digit=bool(i % 7), digit_score=0.5,
            suggested_label=int(confirmed[i]) if i % 3 == 0 and confirmed[i] >= 0 else None,
            confirmed_label=int(confirmed[i]) if confirmed[i] >= 0 else None,
        )
        for i in range(SCALE)
    ]
    Drawing.objects.bulk_create(rows, batch_size=5000)
    seconds = []
    for _ in range(3):  # the fastest of three: the page's own cost, without the other processes' noise
        started = time_module.perf_counter()
        response = admin_client.get(URL)
        seconds.append(time_module.perf_counter() - started)

    assert response.context["figures"].total.predictions == SCALE + 1
    print(f"monitoring page, {SCALE + 1:,} drawings in 30 days: {', '.join(f'{s:.3f}' for s in seconds)} s")
    assert min(seconds) < 1.0
