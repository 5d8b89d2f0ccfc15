"""What every gunicorn worker would otherwise do on its first request, done once in the master before it
forks them (gunicorn's `preload_app`, `ops/gunicorn_conf.py`'s `when_ready`).

The master imports every view module (the URLconf), loads the active model version, and predicts once on
a small drawing (decode, preprocess, LiteRT with its XNNPACK delegate, PNG encode). Workers are forked
with all of that in place: their first prediction costs what every other one does, and the pages they
inherit (code, the loaded model) are shared with the master and each other, not copied per worker.
Then the garbage collector's generations are frozen (`gc.freeze`), so collections in the workers never
walk, and so never write to, the objects inherited from the master.

Best effort: if the database cannot be read (no active version yet, PostgreSQL down), the master logs a
warning and the workers load the model on their first prediction, as they would without preloading.
"""
import gc
import io
import logging

logger = logging.getLogger(__name__)


def warm_up() -> None:
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # imports every view, serializer and schema module
    try:
        _predict_once()
    except Exception as err:  # anything the request path could meet: no version, no database, bad file
        logger.warning("warm-up: the model is loaded by each worker instead", extra={"error": str(err)})
    finally:
        connections.close_all()  # a connection must never be shared by forked workers
    gc.collect()
    gc.freeze()


def _predict_once() -> None:
    from ml.preprocess import input_to_png, preprocess
    from recognizer.predictors import predictor_for
    from recognizer.selectors import model_version_get_serving

    x = preprocess(_stroke_png())
    predictor_for(model_version_get_serving()).predict(x)
    input_to_png(x)


def _stroke_png() -> bytes:
    """A dark stroke on a white 64x64 canvas, as a PNG: enough to run every step of the request path."""
    from PIL import Image, ImageDraw

    image = Image.new("L", (64, 64), 255)
    ImageDraw.Draw(image).line([(32, 10), (30, 54)], fill=0, width=6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
