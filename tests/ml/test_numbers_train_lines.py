"""`python -m ml.numbers.train_lines`: composes lines from training digits, trains, writes a loadable model and its report."""
import json

import numpy as np
import pytest

from ml.numbers import train_lines
from ml.numbers.line_data import PAD, WRITERS_SHARE, lines, varied_digit
from ml.numbers.lines import HEIGHT, WIDTH, LineReader
from ml.numbers.pool import DigitPool, digit_pool


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


def test_lines_draw_the_other_writers_more_often_than_their_share_of_the_pool():
    train = digit_pool("train")
    assert (len(train.labels) - train.first_writer) / len(train.labels) < 0.06
    # The same images, relabelled by source: 3 for MNIST's, 5 for the writers' (no rare style is a 3 or a 5).
    sources = DigitPool(train.images, np.where(np.arange(len(train.labels)) < train.first_writer, 3, 5), train.first_writer)
    rng = np.random.default_rng(0)
    labels = np.array([varied_digit(sources, rng)[1] for _ in range(3000)])
    from_pool = labels[(labels == 3) | (labels == 5)]
    assert len(from_pool) > 0.9 * len(labels)  # the rest are rare styles
    assert abs(np.mean(from_pool == 5) - WRITERS_SHARE) < 0.03


def test_a_varied_digit_is_ink_cropped_to_itself():
    rng = np.random.default_rng(3)
    pool = digit_pool("train")
    for _ in range(200):
        ink, label = varied_digit(pool, rng)
        assert 0 <= label <= 9 and ink.dtype == np.float32 and ink.max() > 0.5
        assert ink[0].max() > 0.05 and ink[-1].max() > 0.05 and ink[:, 0].max() > 0.05 and ink[:, -1].max() > 0.05


def test_a_quick_run_writes_a_model_the_reader_loads_and_its_report(tmp_path):
    report = train_lines.main(["--quick", "--output", str(tmp_path)])
    written = json.loads((tmp_path / "line.json").read_text())
    assert written == report
    assert written["lines"] == 600 and len(written["epochs"]) == 1
    assert 0.0 <= written["epochs"][0]["check_exact"] <= 1.0
    reading = LineReader(tmp_path / "line.tflite").read([np.ones((30, 60), dtype=np.float32)])
    assert len(reading) == 1 and all(0 <= char.digit <= 9 for char in reading[0].chars)
