import pytest


@pytest.fixture(scope="session")
def predictor():
    """The shipped model, served as the site serves it (with the calibration its report records)."""
    from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, read_metrics
    from ml.calibration import Calibration
    from ml.predictor import Predictor
    from ml.report import Report

    serving = Report.from_dict(read_metrics(SHIPPED_DIR)).serving
    return Predictor(SHIPPED_DIR / TFLITE_MODEL, calibration=Calibration.from_serving(serving))
