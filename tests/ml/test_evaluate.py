"""`python -m ml.evaluate`: any exported model measured the way the site uses it."""
import numpy as np

from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL, read_metrics
from ml.calibration import Calibration
from ml.evaluate import main, served_predictor
from ml.report import Report

DIGIT_SETS = ("mnist_validation", "writers_scans_16", "writers_32", "postal_like", "canvas_like", "small_canvas")


def test_validation_sets_are_measured_for_any_model_file(capsys, mnist_dir):
    """With --validation-sets a model file is also measured on the digit sets training reports, so that an
    older version's file, which has no metrics.json of them, can be compared set by set."""
    main(["--model", str(SHIPPED_DIR / TFLITE_MODEL), "--mnist-dir", str(mnist_dir), "--limit", "40", "--validation-sets"])

    rows = {line.split()[1]: line.split() for line in capsys.readouterr().out.splitlines() if line.startswith("validation: ")}
    assert sorted(rows) == sorted(DIGIT_SETS)
    for name, row in rows.items():
        images, accuracy = int(row[2]), float(row[3].rstrip("%"))
        assert images == 40, name
        assert accuracy >= 90.0, name  # the shipped model reads 98.8-99.5 % of each whole set (metrics.json)


def test_a_model_file_is_read_with_the_calibration_beside_it(tmp_path):
    """The shipped model has an eleventh output, "not a digit": read with its metrics.json, its answer is
    the most likely of the ten digits, as the site's; a copy without a metrics.json is read the same way."""
    copy = tmp_path / TFLITE_MODEL
    copy.write_bytes((SHIPPED_DIR / TFLITE_MODEL).read_bytes())
    shipped, alone = served_predictor(SHIPPED_DIR / TFLITE_MODEL), served_predictor(copy)
    drawings = np.zeros((2, 28, 28), dtype=np.float32)

    assert shipped.output_size == 11
    assert shipped.calibration == Calibration.from_serving(Report.from_dict(read_metrics(SHIPPED_DIR)).serving)
    assert shipped.probabilities(drawings).shape == alone.probabilities(drawings).shape == (2, 10)
    assert alone.calibration.output == "logits"
