"""`python -m ml.numbers.train_lines`: composes lines from training digits, trains, writes a loadable model and its report."""
import json

import numpy as np
import pytest

from ml.numbers import train_lines
from ml.numbers.line_data import PAD, lines
from ml.numbers.lines import HEIGHT, WIDTH, LineReader
from ml.numbers.pool import digit_pool


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        train_lines.main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--lines", "--check-lines", "--epochs", "--seed", "--mnist-dir", "--writers-dir", "--output", "--quick"):
        assert option in text


def test_composed_lines_hold_their_digit_strings():
    xs, labels, lengths = lines(digit_pool("train"), 40, seed=1)
    assert xs.shape == (40, HEIGHT, WIDTH) and xs.dtype == np.uint8
    assert set(lengths) <= set(range(1, 9)) and 1 in lengths and max(lengths) > 2
    for label, length in zip(labels, lengths):
        assert (label[:length] >= 0).all() and (label[:length] <= 9).all() and (label[length:] == PAD).all()
    assert all(x.any() for x in xs)


def test_a_quick_run_writes_a_model_the_reader_loads_and_its_report(tmp_path):
    report = train_lines.main(["--quick", "--output", str(tmp_path)])
    written = json.loads((tmp_path / "line.json").read_text())
    assert written == report
    assert written["lines"] == 600 and len(written["epochs"]) == 1
    assert 0.0 <= written["epochs"][0]["check_exact"] <= 1.0
    reading = LineReader(tmp_path / "line.tflite").read([np.ones((30, 60), dtype=np.float32)])
    assert len(reading) == 1 and all(0 <= char.digit <= 9 for char in reading[0].chars)
