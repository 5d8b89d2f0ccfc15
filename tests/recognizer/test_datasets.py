"""Importing labelled datasets as confirmed drawings, from real MNIST digits and notMNIST letters, and
exporting them back; every bad archive is refused with a clear message and imports nothing."""
import io
import zipfile

import numpy as np
import pytest
from django.db.models import F

from recognizer.datasets.archive import DatasetError
from recognizer.datasets.exporters import confirmed_drawings, dataset_export
from recognizer.datasets.importers import NOT_A_DIGIT
from recognizer.datasets.services import dataset_import
from recognizer.models import Drawing, ModelVersion
from tests.recognizer.dataset_archives import (
    canvas_png, idx_images, idx_labels, idx_zip, image_zip, labels_csv, notmnist_letters, npz_bytes, raw_png, zip_bytes,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def digits(mnist_test):
    """12 real MNIST test digits and their labels."""
    images, labels = mnist_test
    return images[:12], labels[:12]


@pytest.fixture(scope="module")
def letters():
    return notmnist_letters(3)


def run_import(data: bytes, name: str = "set-a", **options):
    return dataset_import(file=io.BytesIO(data), name=name, **options)


def refused(data: bytes, match: str, **options) -> None:
    """The archive is refused with a message matching `match`, and not one drawing is stored."""
    before = Drawing.objects.count()
    with pytest.raises(DatasetError, match=match):
        run_import(data, **options)
    assert Drawing.objects.count() == before


# --- good archives ---------------------------------------------------------------------------------


def test_zip_with_labels_csv_imports_confirmed_drawings(digits, letters, staff_user):
    images, labels = digits
    result = dataset_import(file=io.BytesIO(image_zip(images, labels, letters)), name="mine", user=staff_user)

    assert (result.digits, result.not_digits, result.format) == (12, 3, "zip")
    stored = Drawing.objects.filter(dataset="mine")
    assert stored.count() == 15
    assert set(stored.values_list("source", flat=True)) == {Drawing.Source.DATASET}
    assert sorted(stored.exclude(confirmed_label=None).values_list("confirmed_label", flat=True)) == sorted(labels)
    assert stored.filter(confirmed_not_a_digit=True).count() == 3
    active = ModelVersion.objects.get(is_active=True)
    drawing = stored.exclude(confirmed_label=None).first()
    assert drawing.model_version == active and drawing.confirmed_by == staff_user and drawing.confirmed_at
    assert bytes(drawing.input_png).startswith(b"\x89PNG") and len(drawing.probabilities) == 10
    # the shipped model reads real MNIST digits: most predictions agree with the imported labels
    agree = stored.exclude(confirmed_label=None).filter(predicted_digit=F("confirmed_label")).count()
    assert agree >= 10


def test_zip_in_a_folder_and_unlisted_files_are_ignored(digits):
    images, labels = digits
    members = {f"set/{i}.png": canvas_png(images[i]) for i in range(3)}
    members["set/labels.csv"] = labels_csv([(f"{i}.png", str(labels[i])) for i in range(2)])
    result = run_import(zip_bytes(members))

    assert (result.count, result.ignored) == (2, 1)


def test_npz_uint8_with_10_as_not_a_digit(digits, letters):
    images, labels = digits
    x = np.concatenate([images, letters])
    y = np.concatenate([labels, np.full(len(letters), NOT_A_DIGIT)])
    result = run_import(npz_bytes(x=x, y=y))

    assert (result.format, result.digits, result.not_digits) == ("npz", 12, 3)
    assert Drawing.objects.filter(dataset="set-a", confirmed_not_a_digit=True).count() == 3


def test_npz_float_images_in_0_to_1(digits):
    images, labels = digits
    result = run_import(npz_bytes(x=images.astype(np.float32) / 255, y=labels))

    assert result.digits == 12


def test_idx_pair_gzipped_as_mnist_ships_it(digits):
    images, labels = digits
    result = run_import(idx_zip(images, labels))

    assert (result.format, result.digits) == ("idx", 12)
    stored = Drawing.objects.filter(dataset="set-a").order_by("confirmed_label")
    assert list(stored.values_list("confirmed_label", flat=True)) == sorted(labels.tolist())


def test_dry_run_checks_and_stores_nothing(digits):
    images, labels = digits
    result = run_import(image_zip(images, labels), dry_run=True)

    assert result.count == 12 and not result.stored
    assert not Drawing.objects.exists()


def test_existing_name_is_refused_unless_appending(digits):
    images, labels = digits
    run_import(npz_bytes(x=images, y=labels))

    refused(npz_bytes(x=images, y=labels), "already exists")
    run_import(npz_bytes(x=images, y=labels), append=True)
    assert Drawing.objects.filter(dataset="set-a").count() == 24


@pytest.mark.parametrize("name", ["", "../x", "a b", "x" * 101, "-dash"])
def test_bad_dataset_names_are_refused(digits, name):
    refused(npz_bytes(x=digits[0], y=digits[1]), "dataset name", name=name)


# --- bad archives: each refused, nothing stored ----------------------------------------------------


def test_not_a_zip():
    refused(b"just some text, not an archive", "not a zip archive")


def test_unknown_contents():
    refused(zip_bytes({"readme.txt": b"hello"}), "cannot tell the format")


def test_missing_labels_csv(digits):
    refused(zip_bytes({"0.png": canvas_png(digits[0][0])}), "labels.csv is missing", fmt="zip")


@pytest.mark.parametrize(
    "rows, header, match",
    [
        ([("0.png", "3")], None, "header line"),
        ([("0.png", "3")], ("name", "digit"), "header line"),
        ([], ("file", "label"), "lists no images"),
        ([("0.png", "3", "extra")], ("file", "label"), "expected 2 columns"),
        ([("0.png", "11")], ("file", "label"), "label '11' is not a digit"),
        ([("0.png", "-1")], ("file", "label"), "label '-1' is not a digit"),
        ([("0.png", "seven")], ("file", "label"), "label 'seven' is not a digit"),
        ([("0.png", "")], ("file", "label"), "label '' is not a digit"),
        ([("0.png", "3"), ("0.png", "4")], ("file", "label"), "listed twice"),
        ([("missing.png", "3")], ("file", "label"), "missing.png is not in the archive"),
        ([("../0.png", "3")], ("file", "label"), "'..' is not allowed"),
    ],
)
def test_malformed_labels_csv(digits, rows, header, match):
    members = {"0.png": canvas_png(digits[0][0]), "labels.csv": labels_csv(rows, header=header)}
    refused(zip_bytes(members), match)


def test_labels_csv_not_utf8(digits):
    members = {"0.png": canvas_png(digits[0][0]), "labels.csv": b"file,label\n\xff\xfe.png,3\n"}
    refused(zip_bytes(members), "not UTF-8")


def test_one_undecodable_image_among_good_ones_imports_nothing(digits):
    images, labels = digits
    members = {f"{i}.png": canvas_png(images[i]) for i in range(5)}
    members["broken.png"] = b"\x89PNG\r\n\x1a\n but not really"
    rows = [(f"{i}.png", str(labels[i])) for i in range(5)] + [("broken.png", "1")]
    members["labels.csv"] = labels_csv(rows)
    refused(zip_bytes(members), "broken.png")


def test_blank_image_is_refused(digits):
    blank = raw_png(np.zeros((28, 28), np.uint8))
    refused(zip_bytes({"blank.png": blank, "labels.csv": labels_csv([("blank.png", "x")])}), "blank.png: no digit found")


def test_image_over_the_upload_limit(digits, settings):
    png = canvas_png(digits[0][0])
    settings.DIGITS_MAX_UPLOAD_BYTES = len(png) - 1
    refused(zip_bytes({"0.png": png, "labels.csv": labels_csv([("0.png", "7")])}), r"0.png: .*the limit is")


def test_image_over_the_pixel_limit(digits, settings):
    settings.DIGITS_MAX_PIXELS = 100
    png = canvas_png(digits[0][0])
    refused(zip_bytes({"0.png": png, "labels.csv": labels_csv([("0.png", "7")])}), "0.png: image too large.*pixels")


@pytest.mark.parametrize(
    "name, match",
    [("../evil.png", "'..' is not allowed"), ("/etc/evil.png", "absolute paths"),
     ("C:/evil.png", "absolute paths"), ("dir\\evil.png", "backslashes")],
)
def test_path_tricks_in_entry_names(digits, name, match):
    members = {"0.png": canvas_png(digits[0][0]), name: b"x", "labels.csv": labels_csv([("0.png", "7")])}
    refused(zip_bytes(members), match)


def test_zip_bomb_by_ratio(digits):
    members = {"0.png": canvas_png(digits[0][0]), "labels.csv": labels_csv([("0.png", "7")]),
               "padding.bin": bytes(20 * 1024 * 1024)}
    refused(zip_bytes(members), "zip bomb")


def test_archive_expanding_beyond_the_total_limit(digits, settings):
    settings.DIGITS_DATASET_MAX_BYTES = 10_000
    images, labels = digits
    refused(image_zip(images, labels), "expands to")


def test_too_many_entries(digits, settings):
    settings.DIGITS_DATASET_MAX_ENTRIES = 5
    images, labels = digits
    refused(image_zip(images, labels), "entries; the limit is 5")


def test_npz_label_out_of_range(digits):
    images, labels = digits
    refused(npz_bytes(x=images, y=np.where(labels == labels[0], 11, labels)), "label 11")


@pytest.mark.parametrize(
    "arrays, match",
    [
        ({"x": np.zeros((2, 28, 27), np.uint8), "y": np.zeros(2, int)}, "expected \\(N, 28, 28\\)"),
        ({"x": np.zeros((2, 28, 28), np.uint8), "y": np.zeros(3, int)}, "one integer label per image"),
        ({"x": np.full((1, 28, 28), 2.0), "y": np.zeros(1, int)}, "from 0 to 1"),
        ({"x": np.zeros((1, 28, 28), np.int32), "y": np.zeros(1, int)}, "dtype int32"),
        ({"x": np.zeros((1, 28, 28), np.uint8)}, "needs the arrays x"),
        ({"x": np.array([None, 1], dtype=object), "y": np.zeros(2, int)}, "without objects"),
    ],
)
def test_malformed_npz(arrays, match):
    refused(npz_bytes(**arrays), match, fmt="npz")


def test_idx_counts_differ(digits):
    images, labels = digits
    refused(idx_zip(images, labels[:-1]), "12 images but 11 labels")


def test_idx_wrong_magic(digits):
    images, labels = digits
    members = {"a-idx": idx_images(images), "b-idx": b"\x00\x00\x08\x02" + idx_labels(labels)[4:]}
    refused(zip_bytes(members), "not an IDX images or labels file")


def test_idx_label_above_9(digits):
    images, labels = digits
    refused(idx_zip(images, np.full(len(images), 10)), "label 10 is not a digit")


def test_idx_gzip_bomb_inside_the_zip(digits, settings):
    import gzip

    settings.DIGITS_DATASET_MAX_BYTES = 2 * 1024 * 1024
    images, labels = digits
    members = {"images-idx.gz": gzip.compress(idx_images(images) + bytes(8 * 1024 * 1024)),
               "labels-idx.gz": gzip.compress(idx_labels(labels))}
    refused(zip_bytes(members), "expands to more than")


def test_truncated_archive(digits):
    images, labels = digits
    refused(image_zip(images, labels)[:-200], "not a zip archive")


# --- export and the round trip ---------------------------------------------------------------------


def test_round_trip_zip_keeps_labels_and_model_inputs(digits, letters):
    images, labels = digits
    run_import(image_zip(images, labels, letters), name="first")
    exported = dataset_export(confirmed_drawings(datasets=["first"]), "zip")
    assert exported.count == 15

    result = run_import(exported.data, name="second")
    assert (result.digits, result.not_digits) == (12, 3)
    assert _labels_by_input("first") == _labels_by_input("second")


def test_round_trip_npz(digits, letters):
    images, labels = digits
    run_import(image_zip(images, labels, letters), name="first")
    exported = dataset_export(confirmed_drawings(datasets=["first"]), "npz")
    with np.load(io.BytesIO(exported.data)) as arrays:
        assert arrays["x"].dtype == np.uint8 and arrays["x"].shape == (15, 28, 28)
        assert (arrays["y"] == NOT_A_DIGIT).sum() == 3

    run_import(exported.data, name="second")
    assert sorted(_labels_by_input("first").values()) == sorted(_labels_by_input("second").values())


def test_round_trip_idx_leaves_out_not_a_digit(digits, letters):
    images, labels = digits
    run_import(image_zip(images, labels, letters), name="first")
    exported = dataset_export(confirmed_drawings(datasets=["first"]), "idx")
    assert (exported.count, exported.skipped) == (12, 3)

    result = run_import(exported.data, name="second")
    assert (result.format, result.digits, result.not_digits) == ("idx", 12, 0)


def test_export_leaves_out_unconfirmed_drawings(digit_image, digits):
    from recognizer.services import drawing_create

    drawing_create(image=digit_image(3), source="api")
    run_import(npz_bytes(x=digits[0][:4], y=digits[1][:4]))
    assert dataset_export(Drawing.objects.all(), "npz").count == 4
    assert dataset_export(confirmed_drawings(sources=["api"]), "zip").count == 0


def _labels_by_input(name: str) -> dict[bytes, int]:
    """Each drawing's model input (as stored) → its confirmed answer: equal dicts mean the same examples."""
    rows = Drawing.objects.filter(dataset=name).values_list("input_png", "confirmed_label", "confirmed_not_a_digit")
    return {bytes(png): NOT_A_DIGIT if not_digit else label for png, label, not_digit in rows}


def test_exported_zip_is_plain(digits):
    run_import(npz_bytes(x=digits[0][:2], y=digits[1][:2]))
    with zipfile.ZipFile(io.BytesIO(dataset_export(confirmed_drawings(), "zip").data)) as archive:
        names = archive.namelist()
    assert "labels.csv" in names and all(n == "labels.csv" or n.startswith("images/") for n in names)
