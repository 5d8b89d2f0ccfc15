import pytest


@pytest.fixture(scope="session")
def predictor():
    """The shipped model, served as the site serves it."""
    from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL
    from ml.predictor import Predictor

    return Predictor(SHIPPED_DIR / TFLITE_MODEL)
