"""Request validation and response shapes. No business logic: views hand the results to services."""
from django.conf import settings
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ml.preprocess import DrawingError

from recognizer.models import DIGIT_VALIDATORS, Drawing
from recognizer.uploads import read_image

# No braces: DRF runs error messages through str.format.
IMAGE_HINT = "send a multipart file field named 'image', or JSON with 'image' holding base64 or a data: URL"
IMAGES_HINT = "send multipart file fields named 'images', or JSON with 'images' holding a list of base64 strings"


@extend_schema_field(
    {"type": "string", "format": "binary", "description": "An image file (multipart) or base64 / data: URL (JSON)."}
)
class ImageField(serializers.Field):
    """A multipart file or a base64 string / data: URL → `uploads.Upload`."""

    default_error_messages = {"required": f"missing; {IMAGE_HINT}", "null": f"must not be null; {IMAGE_HINT}"}

    def to_internal_value(self, data):
        try:
            return read_image(data)
        except DrawingError as err:
            raise serializers.ValidationError(str(err)) from None

    def to_representation(self, value):
        raise NotImplementedError("write-only")


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a misspelt key is an error instead of a silent no-op."""

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(f"unexpected field(s): {', '.join(unknown)}")
        return attrs


class PredictionCreateSerializer(serializers.Serializer):
    image = ImageField(write_only=True)
    source = serializers.ChoiceField(
        choices=[Drawing.Source.PAGE, Drawing.Source.API], default=Drawing.Source.API, write_only=True
    )


class PredictionBatchSerializer(serializers.Serializer):
    images = serializers.ListField(
        allow_empty=False,
        write_only=True,
        error_messages={"required": f"missing; {IMAGES_HINT}", "not_a_list": f"must be a list; {IMAGES_HINT}"},
    )

    def validate_images(self, items: list) -> list:
        """Too many is the request's fault (400); a bad item only fails its own slot (DrawingError)."""
        limit = settings.DIGITS_MAX_BATCH
        if len(items) > limit:
            raise serializers.ValidationError(f"too many images: {len(items)}, the limit is {limit}")
        return [_bytes_or_error(item) for item in items]


def _bytes_or_error(item) -> bytes | DrawingError:
    try:
        return read_image(item).data
    except DrawingError as err:
        return err


class LabelSerializer(StrictSerializer):
    label = serializers.IntegerField(validators=DIGIT_VALIDATORS, help_text="The digit you drew, 0-9.")


class ConfirmLabelSerializer(StrictSerializer):
    confirmed_label = serializers.IntegerField(
        validators=DIGIT_VALIDATORS, allow_null=True, help_text="The true digit, 0-9; null clears it."
    )


class DrawingFilterSerializer(serializers.Serializer):
    digit = serializers.IntegerField(required=False, validators=DIGIT_VALIDATORS, help_text="Predicted digit.")
    confirmed = serializers.BooleanField(required=False, help_text="Has (true) or lacks (false) a confirmed label.")
    disagreement = serializers.BooleanField(
        required=False, help_text="true: the confirmed or suggested label differs from the prediction."
    )
    max_confidence = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    created_after = serializers.DateTimeField(required=False, help_text="Inclusive, ISO 8601.")
    created_before = serializers.DateTimeField(required=False, help_text="Exclusive, ISO 8601.")


class DrawingSerializer(serializers.ModelSerializer):
    prediction = serializers.IntegerField(source="predicted_digit", help_text="The predicted digit.")
    probabilities = serializers.SerializerMethodField(help_text="Probability of each digit 0-9.")
    model_version = serializers.CharField(source="model_version.name")
    image_url = serializers.SerializerMethodField(help_text="The drawing as uploaded.")
    input_url = serializers.SerializerMethodField(help_text="The 28x28 model input, a grayscale PNG.")

    class Meta:
        model = Drawing
        fields = [
            "id",
            "prediction",
            "confidence",
            "probabilities",
            "model_version",
            "created",
            "source",
            "image_url",
            "input_url",
            "suggested_label",
            "confirmed_label",
        ]
        read_only_fields = fields

    def get_probabilities(self, drawing: Drawing) -> list[float]:
        return [round(p, 6) for p in drawing.probabilities]

    def get_image_url(self, drawing: Drawing) -> str:
        return reverse("recognizer:prediction-image", args=[drawing.pk])

    def get_input_url(self, drawing: Drawing) -> str:
        return reverse("recognizer:prediction-input", args=[drawing.pk])


class BatchResultSerializer(serializers.Serializer):
    """One slot of a batch answer: a stored drawing, or why that image was refused."""

    def to_representation(self, result):
        if isinstance(result, DrawingError):
            return {"status": "error", "error": str(result)}
        return {"status": "success", **DrawingSerializer(result).data}


class SeedPredictionSerializer(serializers.Serializer):
    """The Flask demo's answer, kept byte-for-byte compatible for its clients."""

    prediction = serializers.IntegerField(source="predicted_digit")
    confidence = serializers.SerializerMethodField()
    status = serializers.SerializerMethodField()

    def get_confidence(self, drawing: Drawing) -> float:
        return round(drawing.confidence, 4)

    def get_status(self, drawing: Drawing) -> str:
        return "success"
