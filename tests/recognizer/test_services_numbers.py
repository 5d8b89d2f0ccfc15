"""number_services: what is stored for a number read from real MNIST digits, and what is not when it fails."""
import io

import numpy as np
import pytest
from django.db import IntegrityError, transaction
from PIL import Image

from ml.numbers.reading import read_number
from ml.preprocess import DrawingError, input_to_png
from recognizer import number_services
from recognizer.exceptions import ModelUnavailable
from recognizer.models import Drawing, Number
from recognizer.predictors import line_reader, predictor_for
from recognizer.selectors import model_version_get_active
from tests.recognizer.number_images import compose, exif_rotated_jpeg, number_png

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer(django_user_model):
    return django_user_model.objects.create_user("reviewer", is_staff=True)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)))


def crop_area(box, margin_share, width, height):
    x, y, w, h = box
    margin = max(2, round(margin_share * max(w, h)))
    return max(0, x - margin), max(0, y - margin), min(width, x + w + margin), min(height, y + h + margin)


def test_each_digit_is_stored_with_its_crop_its_input_and_the_readers_answer(mnist_test):
    image = number_png(mnist_test, "2026")
    number = number_services.number_create(image=image, source="api")
    reading = read_number(image, predictor_for(model_version_get_active()), lines=line_reader())

    original = pixels(image)
    drawings = list(Drawing.objects.filter(number=number).order_by("position"))
    assert len(drawings) == len(reading.digits) == len(number.number)
    for drawing, digit in zip(drawings, reading.digits):
        assert drawing.box == list(digit.box) and drawing.created == number.created
        assert bytes(drawing.input_png) == input_to_png(digit.x)
        assert drawing.predicted_digit == digit.prediction.digit and drawing.content_type == "image/png"
        left, top, right, bottom = crop_area(digit.box, number_services.CROP_MARGIN, *original.shape[1::-1])
        assert np.array_equal(pixels(bytes(drawing.image)), original[top:bottom, left:right])
    assert number.rejected == [{"box": list(p.box), "digit_score": pytest.approx(p.digit_score)} for p in reading.rejected]
    assert bytes(Number.objects.get(pk=number.pk).image) == image


def test_digits_of_an_exif_rotated_photo_are_cut_from_the_upright_image(mnist_test):
    mask = compose(mnist_test, "2026")
    number = number_services.number_create(image=exif_rotated_jpeg(mask), source="api")

    assert (number.width, number.height) == (mask.shape[1], mask.shape[0]) and number.content_type == "image/jpeg"
    for drawing in number.digits.all():
        x, y, w, h = drawing.box
        assert x + w <= number.width and y + h <= number.height
        crop = pixels(bytes(drawing.image))
        left, top, right, bottom = crop_area(drawing.box, number_services.CROP_MARGIN, number.width, number.height)
        assert crop.shape[:2] == (bottom - top, right - left)
        ink = 255 - crop.astype(int).mean(axis=2) if crop.ndim == 3 else 255 - crop.astype(int)
        assert (ink > 128).any(), "the crop holds the digit's strokes"


@pytest.mark.parametrize("style, mode", [("gray", "L"), ("blue-on-yellow", "RGB"), ("palette", "RGB"),
                                         ("black-on-transparent", "RGBA")])
def test_each_crop_holds_the_uploads_own_pixels_and_colours(mnist_test, style, mode):
    image = number_png(mnist_test, "2026", style=style)
    number = number_services.number_create(image=image, source="api")

    original = np.asarray(Image.open(io.BytesIO(image)).convert(mode))
    assert number.number == "2026"
    for drawing in number.digits.all():
        left, top, right, bottom = crop_area(drawing.box, number_services.CROP_MARGIN, number.width, number.height)
        crop = Image.open(io.BytesIO(bytes(drawing.image)))
        assert crop.mode == mode and np.array_equal(np.asarray(crop), original[top:bottom, left:right])


def test_too_many_digits_store_nothing(mnist_test):
    with pytest.raises(DrawingError, match="too many digits"):
        number_services.number_create(image=number_png(mnist_test, "1234567890" * 4, side=56, gap=8), source="api")
    assert not Number.objects.exists() and not Drawing.objects.exists()


@pytest.mark.fresh_database
def test_without_an_active_model_nothing_is_read_or_stored(mnist_test):
    with pytest.raises(ModelUnavailable):
        number_services.number_create(image=number_png(mnist_test, "12"), source="api")
    assert not Number.objects.exists()


def test_a_failure_while_storing_the_digits_leaves_no_number(mnist_test, monkeypatch):
    """The number and its digits are written in one transaction: a failing digit write (injected here,
    the database's own answer) rolls the number back too."""

    def refuse(*args, **kwargs):
        raise IntegrityError("refused by the test")

    monkeypatch.setattr(Drawing.objects, "bulk_create", refuse)
    with pytest.raises(IntegrityError):
        number_services.number_create(image=number_png(mnist_test, "2026"), source="api")
    assert not Number.objects.exists()


@pytest.mark.parametrize("value", ["", "20 26", "2026\n", "١٢", 2026, None, "1" * 33])
def test_only_strings_of_1_to_32_ascii_digits_are_numbers(mnist_test, reviewer, value):
    number = number_services.number_create(image=number_png(mnist_test, "12"), source="api")
    with pytest.raises(ValueError):
        number_services.number_suggest(number=number, value=value)
    if value is not None:
        with pytest.raises(ValueError):
            number_services.number_confirm(number=number, value=value, user=reviewer)
    number.refresh_from_db()
    assert number.suggested_number == number.confirmed_number == ""


def test_the_database_refuses_a_number_with_other_characters(mnist_test):
    number = number_services.number_create(image=number_png(mnist_test, "12"), source="api")
    for field in ("number", "suggested_number", "confirmed_number"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Number.objects.filter(pk=number.pk).update(**{field: "1-2"})


def test_a_digit_of_a_number_needs_its_position_and_box(mnist_test):
    number = number_services.number_create(image=number_png(mnist_test, "12"), source="api")
    with pytest.raises(IntegrityError), transaction.atomic():
        number.digits.filter(position=0).update(box=None)


def test_confirmed_digits_of_numbers_are_what_retraining_learns_from(mnist_test, reviewer):
    """A dry plan (no TensorFlow): the digits confirmed through their number are in it with their labels;
    test_retrain_numbers.py trains on them."""
    from recognizer.retraining import RetrainOptions, retrain_plan

    number = number_services.number_create(image=number_png(mnist_test, "2026"), source="api")
    number_services.number_confirm(number=number, value="2028", user=reviewer)

    plan = retrain_plan(options=RetrainOptions(min_labels=1))
    labels = {}
    for side in (plan.train, plan.validation, plan.held_out):
        labels.update(zip(side.ids, side.labels.tolist()))
    digits = number.digits.order_by("position")
    assert [labels[str(d.pk)] for d in digits] == [2, 0, 2, 8]


def test_numbers_are_read_without_the_line_model_when_its_file_is_missing(mnist_test, settings, tmp_path):
    settings.DIGITS_LINE_MODEL = tmp_path / "missing.tflite"
    line_reader.cache_clear()
    try:
        assert line_reader() is None
        number = number_services.number_create(image=number_png(mnist_test, "2026"), source="api")
    finally:
        line_reader.cache_clear()
    assert number.number == "2026"


def test_the_line_model_is_loaded_once_per_process():
    assert line_reader() is not None and line_reader() is line_reader()
