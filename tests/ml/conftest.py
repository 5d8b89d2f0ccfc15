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


@pytest.fixture(scope="session")
def lines():
    """The shipped line model, as the site reads numbers with it."""
    from ml.artifacts import LINE_MODEL, SHIPPED_DIR
    from ml.numbers.lines import LineReader

    return LineReader(SHIPPED_DIR / LINE_MODEL)
