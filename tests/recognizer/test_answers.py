"""The create, preview and batch answers, and a read number's, are built by plain functions
(recognizer/serializers.py, recognizer/number_serializers.py) for speed; the serializers stay the schema.
These tests hold the two equal, byte for byte once rendered as JSON, on drawings and numbers that exercise
every field: owners, suggestions, confirmations, a model without a not-a-digit output, each source, pieces
that are not digits, a number with no digit."""
import json
import uuid

import pytest
from rest_framework.renderers import JSONRenderer

from recognizer import services
from recognizer.models import Drawing
from recognizer.serializers import (
    BatchResultSerializer,
    CreatedDrawingSerializer,
    PredictionPreviewSerializer,
    created_drawing_answer,
    preview_answer,
)

pytestmark = pytest.mark.django_db


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def variants(drawing: Drawing, staff_user):
    """The stored drawing as it is, then with each group of fields changed (saved, and reloaded with a token)."""
    yield drawing
    changes = [
        {"suggested_label": 4, "suggested_not_a_digit": False},
        {"suggested_label": None, "suggested_not_a_digit": True},
        {"confirmed_label": 0, "confirmed_not_a_digit": False, "confirmed_by": staff_user},
        {"confirmed_label": None, "confirmed_not_a_digit": True, "confirmed_by": staff_user},
        {"digit_score": None, "is_digit": None},  # a model without a not-a-digit output
        {"is_digit": False, "digit_score": 0.0},
        {"confidence": 1.0, "probabilities": [1.0] + [0.0] * 9, "predicted_digit": 0},
        {"owner": staff_user, "source": Drawing.Source.PAGE},
    ]
    for change in changes:
        for field, value in change.items():
            setattr(drawing, field, value)
        drawing.save()
        reloaded = Drawing.objects.select_related("model_version").get(pk=drawing.pk)
        reloaded.delete_token = drawing.delete_token
        yield drawing
        yield reloaded


def test_the_created_answer_is_the_serializers_byte_for_byte(digit_image, staff_user):
    drawing = services.drawing_create(image=digit_image(5), source=Drawing.Source.API)
    seen = 0
    for variant in variants(drawing, staff_user):
        expected = CreatedDrawingSerializer(variant).data
        assert created_drawing_answer(variant) == expected
        assert list(created_drawing_answer(variant)) == list(expected)  # same keys, same order
        assert rendered(created_drawing_answer(variant)) == rendered(expected)
        seen += 1
    assert seen == 17


def test_the_preview_answer_is_the_serializers_byte_for_byte(digit_image, staff_user):
    unsaved = services.drawing_preview(image=digit_image(8))
    drawing = services.drawing_create(image=digit_image(8), source=Drawing.Source.PAGE)
    for variant in [unsaved, *variants(drawing, staff_user)]:
        expected = PredictionPreviewSerializer(variant).data
        assert rendered(preview_answer(variant)) == rendered(expected)
        assert list(preview_answer(variant)) == list(expected)


def test_a_batch_slot_is_the_created_answer_with_its_status(digit_image):
    [stored] = services.drawing_create_batch(images=[digit_image(2)])
    slot = BatchResultSerializer(stored).data
    assert slot == {"status": "success", **CreatedDrawingSerializer(stored).data}


def test_the_api_answers_what_the_serializer_says_for_the_stored_row(api_client, digit_image):
    from django.urls import reverse

    from tests.recognizer.test_api_preview import b64

    response = api_client.post(reverse("recognizer:prediction-list"), {"image": b64(digit_image(1))}, format="json")

    assert response.status_code == 201
    body = response.json()
    stored = Drawing.objects.select_related("model_version").get(pk=uuid.UUID(body["id"]))
    stored.delete_token = body["delete_token"]
    assert body == json.loads(rendered(CreatedDrawingSerializer(stored).data))


def test_the_urls_follow_the_script_prefix_as_reverse_does(digit_image):
    from django.urls import set_script_prefix

    drawing = services.drawing_create(image=digit_image(6), source=Drawing.Source.API)
    try:
        for prefix in ("/", "/digits/", "/other/"):
            set_script_prefix(prefix)
            assert rendered(created_drawing_answer(drawing)) == rendered(CreatedDrawingSerializer(drawing).data)
            assert created_drawing_answer(drawing)["image_url"].startswith(f"{prefix}api/predictions/{drawing.pk}/")
    finally:
        set_script_prefix("/")


def number_variants(number, staff_user):
    """The number as read (in memory), as a reader gets it back, then with a suggestion and confirmations."""
    from recognizer.selectors import number_get

    yield number
    yield number_get(number_id=number.pk)
    changes = [
        {"suggested_number": "2026"},
        {"confirmed_number": "2026", "confirmed_by": staff_user},
        {"confirmed_number": "20", "confirmed_count_differs": True},
    ]
    for change in changes:
        for field, value in change.items():
            setattr(number, field, value)
        number.save()
        yield number
        yield number_get(number_id=number.pk)


def test_the_created_number_answer_is_the_serializers_byte_for_byte(mnist_test, staff_user):
    import cv2

    from ml.canvas import encode, to_image
    from recognizer import number_services
    from recognizer.number_serializers import NumberSerializer, created_number_answer
    from tests.recognizer.number_images import compose, shapes_png

    dashed = compose(mnist_test, "2026")
    cv2.line(dashed, (290, 90), (320, 90), 1.0, 8)  # a dash between the 0 and the 2: not a digit
    read = [number_services.number_create(image=image, source=Drawing.Source.API)
            for image in (encode(to_image(dashed)), shapes_png())]
    assert read[0].number and read[0].rejected and read[1].number == "" and read[1].rejected
    for number in read:
        for variant in number_variants(number, staff_user):
            expected = NumberSerializer(variant).data
            assert list(created_number_answer(variant)) == list(expected)
            assert rendered(created_number_answer(variant)) == rendered(expected)
