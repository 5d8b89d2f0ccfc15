"""recognizer.percent: the one rule every page, admin view and command writes percentages by."""
import base64

import pytest
from django.utils import translation

from recognizer.percent import MISSING, format_percent

NBSP = "\u00a0"


def text(value: str) -> str:
    """The formatted value with an ordinary space, for readable expectations."""
    return value.replace(NBSP, " ")


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, "0 %"),
        (0.0, "0 %"),
        (1.0, "100 %"),
        (0.5, "50.0 %"),
        (0.87254, "87.3 %"),
        (0.12345, "12.3 %"),  # 12.345000000000000639... as a double: the exact value rounds down
        (0.0004999, "<0.1 %"),
        (1e-12, "<0.1 %"),
        (0.0005, "0.1 %"),  # 0.05 as a double is a hair above 0.05: rounds half up to 0.1
        (0.9994999, "99.9 %"),
        (0.9995, ">99.9 %"),
        (0.99999994, ">99.9 %"),  # float32's largest value below 1
    ],
)
def test_one_decimal_never_rounds_to_a_false_0_or_100(value, expected):
    assert text(format_percent(value)) == expected


@pytest.mark.parametrize(
    "value, expected",
    [(0.9962, "99.62 %"), (0.00005, "0.01 %"), (0.0000499, "<0.01 %"), (0.99996, ">99.99 %"), (1.0, "100 %")],
)
def test_more_decimals_follow_the_same_rule(value, expected):
    assert text(format_percent(value, decimals=2)) == expected


@pytest.mark.parametrize("value", [None, float("nan"), float("inf")])
def test_a_missing_figure_is_a_dash(value):
    assert format_percent(value) == MISSING


def test_the_sign_is_kept_on_the_number_s_line():
    assert format_percent(0.873) == f"87.3{NBSP}%"
    assert format_percent(0.99999) == f">99.9{NBSP}%"


def test_the_number_follows_the_active_language():
    with translation.override("de"):
        assert text(format_percent(0.87254)) == "87,3 %"
        assert text(format_percent(0.99999)) == ">99,9 %"
        assert text(format_percent(0.9962, decimals=2)) == "99,62 %"
    with translation.override("en"):
        assert text(format_percent(0.87254)) == "87.3 %"


def test_values_near_the_boundaries_agree_with_the_rounded_text():
    """Whatever the value, the text is either an exact end, a bound, or the value rounded to 0.1."""
    for step in range(0, 100_001):
        value = step / 100_000
        shown = text(format_percent(value))
        if value in (0, 1):
            assert shown in ("0 %", "100 %")
        elif shown.startswith(("<", ">")):
            assert value < 0.0005 or value >= 0.9995, (value, shown)
        else:
            assert abs(float(shown.removesuffix(" %")) - 100 * value) <= 0.05 + 1e-9, (value, shown)
            assert shown not in ("0.0 %", "100.0 %"), (value, shown)


# ---- the API gives the values the pages format, unrounded ------------------------------------------------


@pytest.mark.django_db
def test_the_api_answers_probabilities_unrounded(api_client, digit_image):
    """The headline (confidence) and the bar (probabilities[prediction]) are one value, as stored: rounding
    the list to 6 places once made 0.9999996 a 1.0 ("100.0 %") beside a confidence of ">99.9 %"."""
    from django.urls import reverse

    from recognizer.models import Drawing

    for label in range(10):
        image = base64.b64encode(digit_image(label)).decode()
        response = api_client.post(reverse("recognizer:prediction-list"), {"image": image}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        stored = Drawing.objects.get(pk=body["id"])
        assert body["probabilities"] == stored.probabilities
        assert body["confidence"] == stored.confidence == body["probabilities"][body["prediction"]]
        assert body["digit_score"] == stored.digit_score
        assert format_percent(body["confidence"]) == format_percent(max(body["probabilities"]))
