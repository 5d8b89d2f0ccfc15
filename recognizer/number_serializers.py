"""Request validation and response shapes of /api/numbers/ (the single-drawing ones are in serializers.py)."""
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recognizer.models import MAX_NUMBER_DIGITS, Drawing, Number
from recognizer.number_services import DIGITS
from recognizer.serializers import UNROUNDED, ImageField, StrictSerializer, bool_or_none, datetime_text, url_with_id

BOX_SCHEMA = {
    "type": "array",
    "items": {"type": "integer", "minimum": 0},
    "minItems": 4,
    "maxItems": 4,
    "description": "[x, y, width, height] in pixels of the uploaded image, its EXIF orientation applied.",
}
# Lazy, in the request's language; no braces in any language (DRF runs error messages through str.format).
NUMBER_HINT = format_lazy(_("a string of 1 to {count} digits 0-9, such as \"2026\""), count=MAX_NUMBER_DIGITS)


class NumberCreateSerializer(serializers.Serializer):
    image = ImageField(write_only=True)
    source = serializers.ChoiceField(
        choices=list(Number.Source.values), default=Number.Source.API, write_only=True,
        help_text="Who sends it: the drawing page or another API client.",
    )


@extend_schema_field({"type": "string", "pattern": DIGITS.pattern.replace("[", "^[", 1) + "$",
                      "minLength": 1, "maxLength": MAX_NUMBER_DIGITS})
class DigitStringField(serializers.Field):
    """1 to 32 ASCII digits, as a JSON string: a JSON number would lose leading zeros ("0042")."""

    default_error_messages = {"invalid": format_lazy(_("must be {hint}"), hint=NUMBER_HINT)}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not DIGITS.fullmatch(data):
            self.fail("invalid")
        return data

    def to_representation(self, value):
        return value


class NumberFeedbackSerializer(StrictSerializer):
    number = DigitStringField(help_text="The number you wrote, digits only, left to right.")


class NumberConfirmSerializer(StrictSerializer):
    confirmed_number = DigitStringField(
        allow_null=True, help_text="The true number, digits only; null clears the number's confirmation."
    )


class NumberFilterSerializer(serializers.Serializer):
    confirmed = serializers.BooleanField(required=False, help_text="Staff confirmed the number (true) or not (false).")
    disagreement = serializers.BooleanField(
        required=False, help_text="true: the confirmed or suggested number differs from the one read."
    )
    count_differs = serializers.BooleanField(
        required=False, help_text="true: the confirmed number has another count of digits than were found."
    )
    empty = serializers.BooleanField(required=False, help_text="true: nothing in the image was read as a digit.")
    model_version = serializers.CharField(required=False, max_length=100, help_text="Name of the reading model version.")
    max_confidence = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    created_after = serializers.DateTimeField(required=False, help_text="Inclusive, ISO 8601.")
    created_before = serializers.DateTimeField(required=False, help_text="Exclusive, ISO 8601.")


class NumberDigitSerializer(serializers.ModelSerializer):
    """One digit of a number: its stored Drawing, as the model read it."""

    prediction = serializers.IntegerField(source="predicted_digit", help_text="The digit read.")
    confidence = serializers.SerializerMethodField(help_text="Probability of the digit read. " + UNROUNDED)
    probabilities = serializers.SerializerMethodField(help_text="Probability of each digit 0-9. " + UNROUNDED)
    digit_score = serializers.SerializerMethodField(
        help_text="How surely the piece is a digit at all, 0-1; null when the model has no not-a-digit output. "
        + UNROUNDED
    )
    box = serializers.SerializerMethodField()
    drawing = serializers.UUIDField(source="pk", help_text="Id of the stored digit, under /api/predictions/.")
    input_url = serializers.SerializerMethodField(help_text="The 28x28 model input of this digit, a grayscale PNG.")

    class Meta:
        model = Drawing
        fields = ["prediction", "confidence", "probabilities", "is_digit", "digit_score", "box", "drawing", "input_url"]
        read_only_fields = fields

    def get_confidence(self, drawing: Drawing) -> float:
        return drawing.confidence

    def get_probabilities(self, drawing: Drawing) -> list[float]:
        return [float(p) for p in drawing.probabilities]

    def get_digit_score(self, drawing: Drawing) -> float | None:
        return drawing.digit_score

    @extend_schema_field(BOX_SCHEMA)
    def get_box(self, drawing: Drawing) -> list[int]:
        return list(drawing.box)

    def get_input_url(self, drawing: Drawing) -> str:
        return reverse("recognizer:prediction-input", args=[drawing.pk])


class RejectedPieceSerializer(serializers.Serializer):
    """A piece of ink judged not to be a digit (a separator, an underline, a stray mark)."""

    box = serializers.SerializerMethodField()
    digit_score = serializers.FloatField(allow_null=True, help_text="How surely the piece is a digit at all, 0-1.")

    @extend_schema_field(BOX_SCHEMA)
    def get_box(self, piece: dict) -> list[int]:
        return list(piece["box"])


class NumberSerializer(serializers.ModelSerializer):
    number = serializers.CharField(help_text="The digits read, left to right; empty when none was.")
    confidence = serializers.SerializerMethodField(
        help_text="Probability that the whole number is read right: the product of its digits' confidences, unrounded."
    )
    digits = NumberDigitSerializer(many=True, source="ordered_digits", help_text="One entry per digit of `number`, in order.")
    rejected = RejectedPieceSerializer(many=True, help_text="Pieces judged not to be digits, left to right.")
    model_version = serializers.CharField(source="model_version.name")
    # Values only, as the upload's `source`: one enum in the schema for both (settings.ENUM_NAME_OVERRIDES).
    source = serializers.ChoiceField(choices=list(Number.Source.values), read_only=True)
    image_url = serializers.SerializerMethodField(help_text="The image as uploaded.")
    confirmed_number = serializers.SerializerMethodField(help_text="The number staff confirmed; null when none.")
    suggested_number = serializers.SerializerMethodField(help_text="The number the user says they wrote; null when none.")

    class Meta:
        model = Number
        fields = [
            "id",
            "number",
            "confidence",
            "digits",
            "rejected",
            "model_version",
            "created",
            "source",
            "width",
            "height",
            "image_url",
            "suggested_number",
            "confirmed_number",
            "confirmed_count_differs",
        ]
        read_only_fields = fields

    def get_confidence(self, number: Number) -> float:
        return number.confidence

    def get_image_url(self, number: Number) -> str:
        return reverse("recognizer:number-image", args=[number.pk])

    def get_confirmed_number(self, number: Number) -> str | None:
        return number.confirmed_number or None

    def get_suggested_number(self, number: Number) -> str | None:
        return number.suggested_number or None


def created_number_answer(number: Number) -> dict:
    """`NumberSerializer(number).data` for a number just read (`number_services.number_create`), built by a
    plain function like the single drawing's answer (serializers.py): the serializer costs several
    milliseconds for eight digits. tests/recognizer/test_answers.py holds the two equal."""
    return {
        "id": str(number.pk),
        "number": str(number.number),
        "confidence": number.confidence,
        "digits": [_digit_answer(drawing) for drawing in number.ordered_digits],
        "rejected": [{"box": list(piece["box"]), "digit_score": _float_or_none(piece["digit_score"])}
                     for piece in number.rejected],
        "model_version": str(number.model_version.name),
        "created": datetime_text(number.created),
        "source": str(number.source),
        "width": int(number.width),
        "height": int(number.height),
        "image_url": url_with_id("recognizer:number-image", number.pk),
        "suggested_number": number.suggested_number or None,
        "confirmed_number": number.confirmed_number or None,
        "confirmed_count_differs": bool(number.confirmed_count_differs),
    }


def _digit_answer(drawing: Drawing) -> dict:
    return {
        "prediction": int(drawing.predicted_digit),
        "confidence": drawing.confidence,
        "probabilities": [float(p) for p in drawing.probabilities],
        "is_digit": bool_or_none(drawing.is_digit),
        "digit_score": drawing.digit_score,
        "box": list(drawing.box),
        "drawing": str(drawing.pk),
        "input_url": url_with_id("recognizer:prediction-input", drawing.pk),
    }


def _float_or_none(value) -> float | None:
    return None if value is None else float(value)
