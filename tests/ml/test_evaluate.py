"""`python -m ml.evaluate`: any exported model measured the way the site uses it."""
from ml.artifacts import SHIPPED_DIR, TFLITE_MODEL
from ml.evaluate import main

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

