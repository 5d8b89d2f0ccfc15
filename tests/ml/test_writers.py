"""The optdigits loader on the real files, and its refusal of damaged copies."""
from pathlib import Path

import numpy as np
import pytest

from ml.writers import DEFAULT_DIR, TRAIN_FILES, UNSEEN_FILE, WriterFormatError, load_optdigits, load_writers

TRA, TES = (DEFAULT_DIR / name for name in TRAIN_FILES)
WINDEP = DEFAULT_DIR / UNSEEN_FILE


@pytest.fixture(scope="module")
def writers():
    if not DEFAULT_DIR.is_dir():
        pytest.fail(f"optdigits not found at {DEFAULT_DIR}")
    return load_writers(DEFAULT_DIR)


@pytest.mark.parametrize(("path", "count"), [(TRA, 1934), (TES, 946), (WINDEP, 1797)])
def test_each_file_loads_with_its_published_count_and_digit_labels(path, count):
    images, labels = load_optdigits(path)
    assert images.shape == (count, 32, 32) and images.dtype == np.uint8
    assert labels.shape == (count,) and labels.dtype == np.int64
    assert set(np.unique(images)) == {0, 255}
    assert set(labels.tolist()) == set(range(10))


def test_first_training_digit_matches_the_text_file(writers):
    lines = TRA.read_text().splitlines()
    first_rows = np.array([[c == "1" for c in row] for row in lines[1:33]])
    assert np.array_equal(writers.train.images[0] == 255, first_rows)
    assert writers.train.labels[0] == int(lines[33])


def test_train_joins_tra_and_tes_and_unseen_is_windep(writers):
    assert len(writers.train.labels) == 2880
    assert len(writers.unseen.labels) == 1797
    windep_images, windep_labels = load_optdigits(WINDEP)
    assert np.array_equal(writers.unseen.images, windep_images)
    assert np.array_equal(writers.unseen.labels, windep_labels)


def _copy_with(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "damaged.tra"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_truncated_copy_is_refused(tmp_path):
    lines = TES.read_text().splitlines()
    path = _copy_with(tmp_path, lines[: 1 + 33 * 5 + 10])  # five digits, then ten rows of the sixth
    with pytest.raises(WriterFormatError, match="truncated"):
        load_optdigits(path)


def test_a_copy_cut_after_a_whole_digit_disagrees_with_its_count(tmp_path):
    lines = TES.read_text().splitlines()
    path = _copy_with(tmp_path, lines[: 1 + 33 * 5])
    with pytest.raises(WriterFormatError, match="header says 946 digits but the file holds 5"):
        load_optdigits(path)


def test_a_garbled_row_is_refused_with_its_line_number(tmp_path):
    lines = TES.read_text().splitlines()
    lines[40] = lines[40][:10] + "2" + lines[40][11:]
    with pytest.raises(WriterFormatError, match=r"damaged.tra:41: expected 32 rows"):
        load_optdigits(_copy_with(tmp_path, lines))


def test_a_missing_label_is_refused(tmp_path):
    lines = TES.read_text().splitlines()
    del lines[33]  # the first digit's label line: 64 rows in a row
    with pytest.raises(WriterFormatError, match="more than 32 bitmap rows"):
        load_optdigits(_copy_with(tmp_path, lines))


def test_a_file_without_digits_or_a_missing_file_is_refused(tmp_path):
    with pytest.raises(WriterFormatError, match="no 32x32 digit blocks"):
        load_optdigits(_copy_with(tmp_path, ["hello", "world"]))
    with pytest.raises(WriterFormatError, match="not found"):
        load_optdigits(tmp_path / "absent.tra")


def test_format_errors_are_value_errors():
    assert issubclass(WriterFormatError, ValueError)
