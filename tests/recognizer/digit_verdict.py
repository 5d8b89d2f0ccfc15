"""Checks shared by the endpoint tests: an answer's not-a-digit verdict is the model's, as stored.

The shipped model has no not-a-digit output (its answers carry nulls); a model with one answers a
score in 0..1 and a verdict. Either way the answer must be what the stored drawing holds, and what
the model that answered says when asked again about the same upload.
"""
import pytest
from django.conf import settings

from ml.preprocess import preprocess
from recognizer.models import Drawing
from recognizer.predictors import predictor_for

VERDICT_FIELDS = ("digit_score", "is_digit")


def assert_digit_verdict(body: dict, *, decimals: int = 6) -> Drawing:
    """`body` is one answer about a drawing (the seed API rounds its score to 4 decimals)."""
    assert set(VERDICT_FIELDS) <= set(body)
    drawing = Drawing.objects.select_related("model_version").get(pk=body["id"]) if "id" in body else _latest()
    score, is_digit = body["digit_score"], body["is_digit"]
    assert (score is None) == (is_digit is None), "a score comes with a verdict, and no score with none"
    assert (drawing.digit_score is None) == (score is None) and drawing.is_digit == is_digit
    x = preprocess(bytes(drawing.image), max_pixels=settings.DIGITS_MAX_PIXELS)
    again = predictor_for(drawing.model_version).predict(x)
    assert is_digit == getattr(again, "is_digit", None)
    if score is not None:
        assert 0 <= score <= 1 and isinstance(is_digit, bool)
        assert score == pytest.approx(drawing.digit_score, abs=10**-decimals)
        assert score == pytest.approx(again.digit_score, abs=1e-4)
    return drawing


def _latest() -> Drawing:
    return Drawing.objects.select_related("model_version").order_by("-created").first()
