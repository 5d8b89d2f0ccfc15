"""The measuring command and its baseline: `python -m ml.numbers.evaluate` writes what it prints, for
every layout and group, and the naive reader is the obvious approach (it reads spaced digits and
cannot part touching ones)."""
import json

import numpy as np
import pytest

from ml.numbers import evaluate
from ml.numbers.baseline import naive_read
from ml.numbers.measure import example
from ml.numbers.pool import digit_pool
from ml.numbers.synthesis import LAYOUTS


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        evaluate.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--count", "--seed", "--pool", "--output", "--model-dir", "--no-baseline", "--line-model", "--no-line-model"):
        assert option in text


def test_a_small_run_writes_every_layout_and_group(tmp_path, capsys):
    output = tmp_path / "numbers.json"
    evaluate.main(["--count", "2", "--pool", "writers", "--output", str(output), "--seed", "5"])
    written = json.loads(output.read_text())
    assert written["command"].endswith("--seed 5")
    assert written["line_model"].endswith("line.tflite")
    table = written["pools"]["writers"]["accuracy"]
    for layout in LAYOUTS:
        assert table[f"canvas_layout:{layout}"]["count"] == 2
        assert table[f"scan_layout:{layout}"]["count"] == 2
    assert table["group:scan_amounts"]["count"] == 2
    assert all(0.0 <= row["exact"] <= 1.0 and 0.0 <= row["naive_exact"] <= 1.0 for row in table.values())
    assert "group:canvas" in capsys.readouterr().out
    shapes = written["shapes"]
    assert shapes["count"] == len(shapes["read"]) == 30 and 0 <= shapes["no_digits"] <= 30


def test_naive_baseline_reads_spaced_digits_but_not_touching_ones(predictor):
    pool = digit_pool("writers")
    spaced = [example(pool, "spaced", digits=3, seed=seed) for seed in range(8)]
    touching = [example(pool, "touching", digits=3, seed=seed) for seed in range(8)]
    assert np.mean([naive_read(case.data, predictor) == case.text for case in spaced]) >= 0.75
    assert np.mean([naive_read(case.data, predictor) == case.text for case in touching]) <= 0.25


def test_without_the_line_model_the_run_says_so(tmp_path):
    output = tmp_path / "numbers.json"
    evaluate.main(["--count", "1", "--pool", "writers", "--output", str(output), "--no-line-model", "--no-baseline"])
    assert json.loads(output.read_text())["line_model"] is None
