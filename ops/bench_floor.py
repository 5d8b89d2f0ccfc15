"""The floor `make bench` measures serve-prod against: the least a prediction server can do, as a bare WSGI
app under the same gunicorn settings (`gunicorn -c python:ops.gunicorn_conf ops.bench_floor`).

It reads the page's request (JSON, the PNG as a data: URL), decodes it, shrinks the whole image to 28x28,
runs the same LiteRT model and answers the digit. No framework, no MNIST-style centring, no database:
nothing is stored. The gap between it and serve-prod is what the framework, the preprocessing that
makes the answers right, and storing every drawing cost.
"""
import base64
import io
import json
import os

import numpy as np
from PIL import Image

from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, read_metrics
from ml.calibration import Calibration
from ml.predictor import Predictor

model = os.environ.get("BENCH_FLOOR_MODEL") or str(SHIPPED_DIR / TFLITE_MODEL)  # its metrics.json beside it
calibration = Calibration.from_serving(read_metrics(os.path.dirname(model)).get("serving"))
predictor = Predictor(model, calibration=calibration)  # logits → the served probabilities


def application(environ, start_response):
    try:
        request = json.loads(environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0)))
        png = base64.b64decode(request["image"].split(",", 1)[-1], validate=True)
        gray = Image.open(io.BytesIO(png)).convert("L").resize((28, 28), Image.Resampling.BOX)
        answer = predictor.predict(1.0 - np.asarray(gray, dtype=np.float32) / 255.0)  # white ink on black
        status, body = "200 OK", {"prediction": answer.digit, "confidence": answer.confidence}
    except (KeyError, TypeError, ValueError, OSError) as err:  # not JSON, no image, not base64, not an image
        status, body = "400 Bad Request", {"error": f"{type(err).__name__}: {err}"}
    payload = json.dumps(body).encode()
    start_response(status, [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))])
    return [payload]
