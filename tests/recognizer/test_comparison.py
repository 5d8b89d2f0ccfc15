"""The staff comparison of model versions (admin action "Compare selected versions" and its page).

Two real versions: the shipped one, and the same model file registered again with another calibration
(a stricter not-a-digit threshold, other measured rates, one validation set missing from its report), so
the two really answer differently on some of the stored drawings: real MNIST test digits and doodles
predicted through `drawing_create`. Expected figures come from the reports and from an independent
re-prediction with `ml.predictor.Predictor` here, never from the page's own code.
"""
import re
from html import unescape

import numpy as np
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ml.artifacts import SHIPPED_DIR, read_metrics
from ml.calibration import Calibration
from ml.canvas import encode, to_image
from ml.negatives import doodle_ink
from ml.predictor import Predictor
from ml.preprocess import png_to_input
from ml.report import Report
from recognizer import services
from recognizer.comparison import disagreements, latency
from recognizer.models import Drawing, ModelVersion
from recognizer.percent import FIGURE_DECIMALS, format_percent

pytestmark = pytest.mark.django_db

COMPARE = "admin:recognizer_modelversion_compare"
CHANGELIST = "admin:recognizer_modelversion_changelist"
DROPPED_SET = "writers_32"


@pytest.fixture
def drawings(digit_image):
    """Twenty MNIST test digits and four doodles, predicted and stored by the shipped model."""
    rng = np.random.default_rng(13)
    images = [digit_image(d, nth=n) for d in range(10) for n in (0, 1)]
    images += [encode(to_image(doodle_ink(rng)), "PNG") for _ in range(4)]
    return [services.drawing_create(image=image, source="api") for image in images]


@pytest.fixture
def stricter(drawings):
    """The shipped file again, with a threshold between the stored scores of the drawings read as digits,
    so it refuses about half of them: real disagreements with the shipped version."""
    accepted = sorted({d.digit_score for d in drawings if d.is_digit})
    assert len(accepted) >= 2, "the digits' scores should differ"
    middle = len(accepted) // 2
    report = Report.from_dict(read_metrics(SHIPPED_DIR))
    report.version = "comparison-stricter"
    report.serving["digit_threshold"] = (accepted[middle - 1] + accepted[middle]) / 2
    report.not_a_digit["refused_digits"] = 0.25
    del report.evaluations[DROPPED_SET]
    return services.model_version_register(work_dir=SHIPPED_DIR, destination=SHIPPED_DIR, metrics=report.to_dict())


@pytest.fixture
def missing_file():
    """A version from an old layout whose model file is gone."""
    return ModelVersion.objects.create(
        name="comparison-gone", artifact="var/comparison-missing/model.tflite", sha256="0" * 64,
        metrics={"test": {"accuracy": 0.9}, "version": "comparison-gone"},
    )


def compare_url(*versions) -> str:
    return reverse(COMPARE) + "?versions=" + ",".join(str(v.pk) for v in versions)


def cells(html: str, row_start: str) -> list[str]:
    """The texts of the <td> cells of the first table row whose opening tag starts with `row_start`."""
    row = re.search(re.escape(row_start) + r".*?</tr>", html, re.S).group(0)
    return [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def expected_answers(version: ModelVersion, drawing: Drawing) -> str:
    predictor = Predictor(version.artifact_path, calibration=Calibration.from_serving(version.metrics["serving"]))
    prediction = predictor.predict(png_to_input(bytes(drawing.input_png)))
    return "not a digit" if prediction.is_digit is False else str(prediction.digit)


# --- the page's figures ----------------------------------------------------------------------------------


def test_figures_per_set_equal_each_versions_report(admin_client, shipped_model, stricter):
    response = admin_client.get(compare_url(shipped_model, stricter))

    assert response.status_code == 200
    html = response.content.decode()
    for name in shipped_model.report.evaluations:
        shown = cells(html, f'<tr class="set" data-set="{name}">')
        expected = []
        for version in (shipped_model, stricter):
            figures = version.report.evaluations.get(name, {})
            expected += [_percent(figures.get(key)) for key in ("accuracy", "ece", "refused")]
        assert shown == expected, name
    assert cells(html, f'<tr class="set" data-set="{DROPPED_SET}">')[3:] == ["\u2014"] * 3


def test_calibration_size_and_parameters_equal_the_reports(admin_client, shipped_model, stricter):
    html = admin_client.get(compare_url(shipped_model, stricter)).content.decode()

    size = f"{(SHIPPED_DIR / 'model.tflite').stat().st_size:,}"
    reports = [shipped_model.report, stricter.report]
    thresholds = [f"{r.serving['digit_threshold']:.6f}" for r in reports]
    assert cells(html, "<tr><th>not-a-digit threshold</th>") == thresholds and thresholds[0] != thresholds[1]
    assert cells(html, "<tr><th>temperature</th>") == [f"{r.serving['temperature']:.3f}" for r in reports]
    assert cells(html, "<tr><th>refuses real digits") == [_percent(r.not_a_digit["refused_digits"]) for r in reports]
    assert cells(html, "<tr><th>parameters</th>") == [f"{r.parameters:,}" for r in reports]
    assert cells(html, "<tr><th>.tflite size") == [size, size]
    latencies = cells(html, '<tr id="latency">')
    assert all(re.fullmatch(r"\d+\.\d\d ms", cell) for cell in latencies), latencies


def test_confusion_matrices_are_the_stored_ones(admin_client, shipped_model, stricter):
    response = admin_client.get(compare_url(shipped_model, stricter))

    rows = response.context["confusion_rows"]
    assert {name for name, _ in rows} == {
        name for name, figures in shipped_model.report.evaluations.items() if "confusion_matrix" in figures
    }
    assert rows[0][0] == "mnist_test"
    shown = 0
    for name, matrices in rows:
        for version, matrix in zip((shipped_model, stricter), matrices, strict=True):
            stored = version.report.evaluations.get(name, {}).get("confusion_matrix")
            counts = None if matrix.rows is None else [[count for count, _ in row] for row in matrix.rows]
            assert counts == stored, (name, version.name)
            shown += stored is not None
    assert stricter.report.evaluations.get(DROPPED_SET) is None and shown == 2 * len(rows) - 1
    assert response.content.decode().count('<table class="cm">') == shown


# --- disagreements ---------------------------------------------------------------------------------------


def test_disagreements_equal_an_independent_re_prediction(admin_client, shipped_model, stricter, drawings):
    response = admin_client.get(compare_url(shipped_model, stricter))

    newest_first = Drawing.objects.order_by("-created", "-pk")
    expected = []
    for drawing in newest_first:
        answers = [expected_answers(version, drawing) for version in (shipped_model, stricter)]
        if answers[0] != answers[1]:
            expected.append((drawing.pk, answers))
    assert 0 < len(expected) < sum(d.is_digit for d in drawings)  # disagreements, and agreements on digits
    found = response.context["disagreements"]
    assert (found.examined, found.disagreeing) == (len(drawings), len(expected))
    assert [(row.drawing.pk, row.answers) for row in found.listed] == expected
    html = response.content.decode()
    assert f"{len(expected)} of the {len(drawings)} most recent" in " ".join(html.split())
    for pk, _ in expected:
        assert reverse("admin:recognizer_drawing_change", args=[pk]) in html
        assert f'src="/api/predictions/{pk}/input"' in html  # the drawing admin's thumbnail


def test_disagreements_examine_and_show_at_most_the_caps(shipped_model, stricter, drawings):
    versions = [shipped_model, stricter]
    predictors = [latency.load(version) for version in versions]
    everything = disagreements.find(versions, predictors)
    capped = disagreements.find(versions, predictors, examined=len(drawings) - 4, shown=2)

    assert capped.examined == len(drawings) - 4
    assert capped.disagreeing > 2 and len(capped.listed) == 2
    newest = [row.drawing.pk for row in everything.listed]
    assert [row.drawing.pk for row in capped.listed] == newest[:len(capped.listed)]


def test_a_stored_input_that_does_not_decode_is_skipped(shipped_model, stricter, drawings):
    Drawing.objects.filter(pk=drawings[-1].pk).update(input_png=b"not a png")

    versions = [shipped_model, stricter]
    found = disagreements.find(versions, [latency.load(version) for version in versions])

    assert found.examined == len(drawings) - 1
    assert drawings[-1].pk not in {row.drawing.pk for row in found.listed}


# --- selection, permissions and bad input ----------------------------------------------------------------


def test_the_action_sends_two_versions_to_the_page(admin_client, shipped_model, stricter):
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "compare_versions", "_selected_action": [shipped_model.pk, stricter.pk]}
    )

    assert response.status_code == 302
    assert response["Location"] == compare_url(shipped_model, stricter)


@pytest.mark.parametrize("count", [1, 7])
def test_the_action_refuses_one_or_seven_versions(admin_client, shipped_model, count):
    for i in range(count - 1):
        ModelVersion.objects.create(name=f"extra-{i}", artifact="var/none.tflite", sha256="0" * 64)
    ids = list(ModelVersion.objects.values_list("pk", flat=True))
    response = admin_client.post(
        reverse(CHANGELIST), {"action": "compare_versions", "_selected_action": ids}, follow=True
    )

    assert response.status_code == 200
    assert f"Select 2 to 6 versions to compare ({count} selected)." in _messages(response)


@pytest.mark.parametrize(
    "query, message",
    [
        ("{a},999999", "No model version with id 999999."),
        ("{a},abc", "Not a version id: 'abc'."),
        ("{a}", "Select 2 to 6 versions to compare (1 selected)."),
        ("{a},{a}", "Select 2 to 6 versions to compare (1 selected)."),
        ("", "No versions were selected."),
    ],
)
def test_a_bad_selection_returns_to_the_list_with_a_message(admin_client, shipped_model, query, message):
    url = reverse(COMPARE) + "?versions=" + query.format(a=shipped_model.pk)
    response = admin_client.get(url, follow=True)

    assert response.redirect_chain == [(reverse(CHANGELIST), 302)]
    assert message in _messages(response)


def test_a_version_whose_file_is_missing_is_unavailable(admin_client, shipped_model, missing_file, drawings):
    response = admin_client.get(compare_url(shipped_model, missing_file))

    assert response.status_code == 200
    html = response.content.decode()
    assert cells(html, '<tr id="latency">')[1] == "unavailable"
    assert cells(html, "<tr><th>.tflite size")[1] == "\u2014"
    assert cells(html, '<tr class="set" data-set="mnist_test">')[3:] == [format_percent(0.9, FIGURE_DECIMALS), "\u2014", "\u2014"]
    assert response.context["disagreements"].unavailable == [missing_file.name]
    assert response.context["disagreements"].disagreeing == 0


@pytest.mark.parametrize(
    "metrics",
    [
        [1, 2],  # not even a dict
        {"schema": 2, "evaluations": {}},  # the current layout without its required keys
        {  # every figure of the wrong type
            "schema": 2, "version": "damaged", "kind": "trained", "created": "", "architecture": "",
            "parameters": "many", "evaluations": {"mnist_test": {"accuracy": "high", "confusion_matrix": [[1]]}},
            "serving": {"temperature": "hot"}, "not_a_digit": "none",
        },
    ],
)
def test_a_damaged_report_shows_dashes_and_no_latency(admin_client, shipped_model, drawings, metrics):
    damaged = ModelVersion.objects.create(
        name="comparison-damaged", artifact=shipped_model.artifact, sha256=shipped_model.sha256, metrics=metrics
    )
    response = admin_client.get(compare_url(shipped_model, damaged))

    assert response.status_code == 200
    html = response.content.decode()
    assert cells(html, '<tr class="set" data-set="mnist_test">')[3:] == ["\u2014"] * 3
    assert cells(html, "<tr><th>parameters</th>")[1] == "\u2014"
    assert cells(html, '<tr id="latency">')[1] == "unavailable"
    assert response.context["disagreements"].unavailable == [damaged.name]


@pytest.mark.parametrize("who", ["anonymous", "not staff"])
def test_only_staff_reach_the_page(client, django_user_model, shipped_model, stricter, who):
    if who == "not staff":
        client.force_login(django_user_model.objects.create_user("visitor", password="pw-visitor-1"))
    url = compare_url(shipped_model, stricter)
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("may_view, status", [(True, 200), (False, 403)])
def test_staff_need_the_view_permission_on_versions(client, staff_user, shipped_model, stricter, may_view, status):
    if may_view:
        staff_user.user_permissions.add(Permission.objects.get(codename="view_modelversion"))
    client.force_login(staff_user)

    assert client.get(compare_url(shipped_model, stricter)).status_code == status
    if may_view:  # and the action is offered to them, though they may not activate versions
        choices = dict(client.get(reverse(CHANGELIST)).context["action_form"].fields["action"].choices)
        assert "compare_versions" in choices and "activate" not in choices


def _percent(value) -> str:
    return "\u2014" if value is None else format_percent(value, FIGURE_DECIMALS)


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]
