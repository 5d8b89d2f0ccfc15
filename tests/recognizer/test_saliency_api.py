"""GET /api/predictions/{id}/saliency: the heatmap of a stored drawing, computed with the version that
answered it, for the answer it gave; a PNG for anyone holding the id, a JSON 404 otherwise, and nothing
written."""
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from ml.preprocess import png_to_input
from ml.saliency import explain
from ml.saliency_image import overlay_png
from recognizer.models import Drawing, ModelVersion
from recognizer.predictors import predictor_for

REPO = Path(__file__).resolve().parents[2]
WRITES = ("INSERT", "UPDATE", "DELETE")


def url(drawing_id) -> str:
    return f"/api/predictions/{drawing_id}/saliency"


def expected_png(drawing: Drawing, answer) -> bytes:
    x = png_to_input(bytes(Drawing.objects.values_list("input_png", flat=True).get(pk=drawing.pk)))
    return overlay_png(x, explain(predictor_for(drawing.model_version), x, answer=answer).heat)


@pytest.mark.django_db
def test_a_drawing_has_a_280px_png_heatmap_of_its_answer(api_client, drawing):
    response = api_client.get(url(drawing.pk), HTTP_ACCEPT="image/avif,image/webp,*/*")  # as an <img> asks

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.mode, image.size) == ("PNG", "RGB", (280, 280))
    assert response.content == expected_png(drawing, drawing.predicted_digit)
    colours = np.asarray(image).reshape(-1, 3)
    assert len(np.unique(colours, axis=0)) > 100  # a heatmap, not a flat square


@pytest.mark.django_db
def test_the_map_explains_the_stored_answer_not_a_new_one(api_client, drawing):
    """Stored answers are what the user was told; a map of another digit would explain something else."""
    before = api_client.get(url(drawing.pk)).content
    other = (drawing.predicted_digit + 1) % 10
    Drawing.objects.filter(pk=drawing.pk).update(predicted_digit=other)

    after = api_client.get(url(drawing.pk)).content

    assert after != before
    assert after == expected_png(drawing, other)


@pytest.mark.django_db
def test_a_not_a_digit_answer_gets_the_map_of_not_a_digit(api_client, drawing):
    Drawing.objects.filter(pk=drawing.pk).update(is_digit=False)

    response = api_client.get(url(drawing.pk))

    assert response.status_code == 200
    assert response.content == expected_png(drawing, None)
    assert response.content != expected_png(drawing, drawing.predicted_digit)


@pytest.mark.django_db
def test_computing_a_map_writes_nothing(api_client, drawing):
    rows = (Drawing.objects.count(), ModelVersion.objects.count())
    with CaptureQueriesContext(connection) as queries:
        response = api_client.get(url(drawing.pk))

    assert response.status_code == 200
    assert not [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]
    assert (Drawing.objects.count(), ModelVersion.objects.count()) == rows


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["00000000-0000-0000-0000-000000000000", "nope", "12345"])
def test_an_unknown_drawing_is_a_json_404(api_client, pk):
    response = api_client.get(url(pk))

    assert response.status_code == 404
    assert response.json() == {"status": "error", "error": "no drawing with this id"}


@pytest.mark.django_db
def test_an_unreadable_stored_input_is_a_json_404_not_a_500(api_client, drawing):
    Drawing.objects.filter(pk=drawing.pk).update(input_png=b"not a png")

    response = api_client.get(url(drawing.pk))

    assert response.status_code == 404
    assert response.json() == {"status": "error", "error": "the stored model input of this drawing cannot be read"}


@pytest.mark.django_db
def test_the_answer_matches_the_openapi_schema(drawing, connections_kept):
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    operation = schema["/api/predictions/{id}/saliency"]["GET"]
    assert operation.definition.raw["summary"]

    for pk in (str(drawing.pk), "00000000-0000-0000-0000-000000000000"):
        case = operation.Case(path_parameters={"id": pk})
        response = case.call()
        assert response.status_code in (200, 404)
        case.validate_response(response)


@pytest.mark.server  # a fresh Django process, as tests/recognizer/test_settings.py starts them
def test_making_a_map_never_imports_tensorflow():
    code = (
        "import django; django.setup(); import sys, numpy as np"
        "; import recognizer.urls, recognizer.saliency_apis, recognizer.saliency_selectors"
        "; from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL; from ml.predictor import Predictor"
        "; from ml.saliency import explain; from ml.saliency_image import overlay_png"
        "; x = np.zeros((28, 28), 'float32'); x[6:22, 13:16] = 1"
        "; overlay_png(x, explain(Predictor(SHIPPED_DIR / TFLITE_MODEL), x).heat)"
        "; print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras')))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DATABASE_URL")}
    result = subprocess.run([sys.executable, "-c", code], env={**env, "DJANGO_SETTINGS_MODULE": "digitsite.settings"},
                            cwd=REPO, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
