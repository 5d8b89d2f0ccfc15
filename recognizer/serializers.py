"""Request validation and response shapes. No business logic: views hand the results to services."""
import functools
import uuid

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import get_language, gettext, gettext_lazy as _
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema_field
from rest_framework import serializers

from ml.preprocess import DrawingError

from recognizer import error_messages
from recognizer.models import DIGIT_VALIDATORS, Drawing
from recognizer.uploads import read_image

# No braces, in any language: DRF runs error messages through str.format. Lazy: in the request's language.
IMAGE_MISSING = _("missing; send a multipart file field named 'image', or JSON with 'image' holding base64 or a "
                  "data: URL")
IMAGE_NULL = _("must not be null; send a multipart file field named 'image', or JSON with 'image' holding base64 "
               "or a data: URL")
IMAGES_MISSING = _("missing; send multipart file fields named 'images', or JSON with 'images' holding a list of "
                   "base64 strings")
IMAGES_NOT_A_LIST = _("must be a list; send multipart file fields named 'images', or JSON with 'images' holding a "
                      "list of base64 strings")
MAX_NAMES, MAX_NAME_CHARS = 3, 20  # of unexpected fields named in an error
# The API's probabilities are never rounded (rounding made 0.9999996 a 1.0 beside a confidence of 0.9999996);
# pages write them as percentages by one rule, recognizer/percent.py.
UNROUNDED = "Unrounded: the model's float32 output, so 1.0 or 0.0 only when float32 cannot tell it from 1 or 0."


@extend_schema_field(
    {"type": "string", "format": "binary", "description": "An image file (multipart) or base64 / data: URL (JSON)."}
)
class ImageField(serializers.Field):
    """A multipart file or a base64 string / data: URL → `uploads.Upload`."""

    default_error_messages = {"required": IMAGE_MISSING, "null": IMAGE_NULL}

    def to_internal_value(self, data):
        try:
            return read_image(data)
        except DrawingError as err:
            raise serializers.ValidationError(str(err)) from None

    def to_representation(self, value):
        raise NotImplementedError("write-only")


class StrictSerializer(serializers.Serializer):
    """Rejects fields it does not know, so a misspelt key is an error instead of a silent no-op.

    The message names a few of them, shortened: a junk form body can have hundreds of binary keys.
    """

    def validate(self, attrs):
        unknown = sorted(set(self.initial_data) - set(self.fields))
        if unknown:
            raise serializers.ValidationError(gettext("unexpected field(s): %(names)s") % {"names": _some_names(unknown)})
        return attrs


def _some_names(names: list[str]) -> str:
    shown = [name if len(name) <= MAX_NAME_CHARS else name[: MAX_NAME_CHARS - 1] + "…" for name in names[:MAX_NAMES]]
    more = len(names) - len(shown)
    names = ", ".join(shown)
    return gettext("%(names)s and %(count)d more") % {"names": names, "count": more} if more else names


class PredictionCreateSerializer(serializers.Serializer):
    image = ImageField(write_only=True)
    source = serializers.ChoiceField(
        choices=[Drawing.Source.PAGE, Drawing.Source.API], default=Drawing.Source.API, write_only=True
    )


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "format": "binary"},
        "minItems": 1,
        "maxItems": settings.DIGITS_MAX_BATCH,
        "description": "Image files (multipart, one field per image) or base64 / data: URLs (JSON).",
    }
)
class ImageListField(serializers.ListField):
    """A ListField whose schema says what the items are (validate_images reads them)."""


class PreviewRequestSerializer(serializers.Serializer):
    """The image of `POST /api/predictions/`, read the same way; there is no source: nothing is stored."""

    image = ImageField(write_only=True)


class PredictionBatchSerializer(serializers.Serializer):
    images = ImageListField(
        allow_empty=False,
        write_only=True,
        error_messages={"required": IMAGES_MISSING, "not_a_list": IMAGES_NOT_A_LIST},
    )

    def validate_images(self, items: list) -> list:
        """Too many is the request's fault (400); a bad item only fails its own slot (DrawingError)."""
        limit = settings.DIGITS_MAX_BATCH
        if len(items) > limit:
            raise serializers.ValidationError(
                gettext("too many images: %(count)d, the limit is %(limit)d") % {"count": len(items), "limit": limit}
            )
        return [_bytes_or_error(item) for item in items]


def _bytes_or_error(item) -> bytes | DrawingError:
    try:
        return read_image(item).data
    except DrawingError as err:
        return err


class FeedbackSerializer(StrictSerializer):
    """The user's answer: which digit it was, or that it is not a digit. Exactly one of the two."""

    label = serializers.IntegerField(required=False, validators=DIGIT_VALIDATORS, help_text="The digit you drew, 0-9.")
    not_a_digit = serializers.BooleanField(required=False, help_text="true: what you drew is not a digit.")

    def validate(self, attrs):
        _one_of(attrs, "label", "not_a_digit", missing=gettext("send 'label' (the digit, 0-9) or 'not_a_digit': true"))
        attrs = super().validate(attrs)
        if "not_a_digit" in attrs and not attrs["not_a_digit"]:
            raise serializers.ValidationError(
                gettext("not_a_digit can only be true; to say which digit it was, send 'label'")
            )
        return attrs


class ConfirmSerializer(StrictSerializer):
    """Staff's answer: the true digit (null clears the confirmation), or that it is not a digit."""

    confirmed_label = serializers.IntegerField(
        required=False, validators=DIGIT_VALIDATORS, allow_null=True,
        help_text="The true digit, 0-9; null clears the confirmation (label or not a digit).",
    )
    confirmed_not_a_digit = serializers.BooleanField(
        required=False, help_text="true: the drawing is not a digit (replaces a confirmed label)."
    )

    def validate(self, attrs):
        _one_of(
            attrs, "confirmed_label", "confirmed_not_a_digit",
            missing=gettext("send 'confirmed_label' (0-9, or null to clear) or 'confirmed_not_a_digit': true"),
        )
        attrs = super().validate(attrs)
        if "confirmed_not_a_digit" in attrs and not attrs["confirmed_not_a_digit"]:
            raise serializers.ValidationError(
                gettext("confirmed_not_a_digit can only be true; send confirmed_label null to clear the confirmation")
            )
        return attrs


def _one_of(attrs: dict, first: str, second: str, *, missing: str) -> None:
    """Exactly one of two mutually exclusive answers (a present null counts as sent)."""
    if first in attrs and second in attrs:
        raise serializers.ValidationError(
            gettext("send either '%(first)s' or '%(second)s', not both") % {"first": first, "second": second}
        )
    if first not in attrs and second not in attrs:
        raise serializers.ValidationError(missing)


class DrawingFilterSerializer(serializers.Serializer):
    digit = serializers.IntegerField(required=False, validators=DIGIT_VALIDATORS, help_text="Predicted digit.")
    confirmed = serializers.BooleanField(
        required=False, help_text="Staff confirmed (true) a label or not-a-digit, or did not (false)."
    )
    disagreement = serializers.BooleanField(
        required=False,
        help_text="true: the confirmed or suggested answer (a digit, or not a digit) differs from the model's.",
    )
    not_a_digit = serializers.BooleanField(
        required=False, help_text="true: staff confirmed or the user suggested that it is not a digit."
    )
    is_digit = serializers.BooleanField(
        required=False,
        help_text="The model's not-a-digit answer; drawings from models without that output match neither value.",
    )
    max_confidence = serializers.FloatField(required=False, min_value=0.0, max_value=1.0)
    created_after = serializers.DateTimeField(required=False, help_text="Inclusive, ISO 8601.")
    created_before = serializers.DateTimeField(required=False, help_text="Exclusive, ISO 8601.")


class StrictCharField(serializers.CharField):
    """A string and nothing else: DRF's CharField would take 5 or 1.5 as "5" and "1.5"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class DeleteSerializer(StrictSerializer):
    """The optional body of `DELETE /api/predictions/{id}/` (the X-Delete-Token header says the same)."""

    delete_token = StrictCharField(
        required=False, trim_whitespace=False, help_text="The token the creation answer gave."
    )


class AnswerSerializer(serializers.ModelSerializer):
    """The model's answer about a drawing: what a preview shows, and the start of every stored prediction."""

    prediction = serializers.IntegerField(source="predicted_digit", help_text="The predicted digit.")
    confidence = serializers.FloatField(
        help_text="Probability of the predicted digit, 0-1: its entry in `probabilities`. " + UNROUNDED
    )
    probabilities = serializers.SerializerMethodField(help_text="Probability of each digit 0-9. " + UNROUNDED)
    digit_score = serializers.SerializerMethodField(
        help_text="How surely the drawing is a digit at all, 0-1; null when the model has no not-a-digit output. "
        + UNROUNDED
    )
    model_version = serializers.CharField(source="model_version.name")

    class Meta:
        model = Drawing
        fields = ["prediction", "confidence", "probabilities", "digit_score", "is_digit", "model_version"]
        read_only_fields = fields

    def get_probabilities(self, drawing: Drawing) -> list[float]:
        # Never rounded: rounding to 6 places made 0.9999996 a 1.0 beside a confidence of 0.9999996.
        return [float(p) for p in drawing.probabilities]

    def get_digit_score(self, drawing: Drawing) -> float | None:
        return drawing.digit_score


class PredictionPreviewSerializer(AnswerSerializer):
    """`POST /api/predictions/preview/`: the answer alone; nothing was stored, so there is no id."""


class DrawingSerializer(AnswerSerializer):
    image_url = serializers.SerializerMethodField(help_text="The drawing as uploaded.")
    input_url = serializers.SerializerMethodField(help_text="The 28x28 model input, a grayscale PNG.")

    class Meta(AnswerSerializer.Meta):
        fields = [
            "id",
            *AnswerSerializer.Meta.fields,
            "created",
            "source",
            "image_url",
            "input_url",
            "suggested_label",
            "suggested_not_a_digit",
            "confirmed_label",
            "confirmed_not_a_digit",
        ]
        read_only_fields = fields

    def get_image_url(self, drawing: Drawing) -> str:
        return reverse("recognizer:prediction-image", args=[drawing.pk])

    def get_input_url(self, drawing: Drawing) -> str:
        return reverse("recognizer:prediction-input", args=[drawing.pk])


class CreatedDrawingSerializer(DrawingSerializer):
    """A drawing just stored: the only answer that shows its delete token (the row keeps only a hash)."""

    delete_token = serializers.CharField(
        read_only=True,
        help_text="Send it to `DELETE /api/predictions/{id}/` (header X-Delete-Token) to delete this drawing. "
        "Shown once: keep it.",
    )

    class Meta(DrawingSerializer.Meta):
        fields = [*DrawingSerializer.Meta.fields, "delete_token"]
        read_only_fields = fields


# The create, preview and batch answers, built by plain functions: instantiating a ModelSerializer builds its
# fields on every call (~0.5 ms of a ~3 ms stored prediction, `python -m ml.bench --only stages`). The classes
# above stay the schema (drf-spectacular) and the reference: tests/recognizer/test_answers.py holds these
# functions' output equal, byte for byte once rendered, to the serializers' for the same drawings. A read
# number's answer is built the same way (number_serializers.created_number_answer), with the helpers below.
_CREATED_FIELD = serializers.DateTimeField()


def preview_answer(drawing: Drawing) -> dict:
    """`PredictionPreviewSerializer(drawing).data`: the model's answer alone."""
    return {
        "prediction": int(drawing.predicted_digit),
        "confidence": float(drawing.confidence),
        "probabilities": [float(p) for p in drawing.probabilities],
        "digit_score": drawing.digit_score,
        "is_digit": None if drawing.is_digit is None else bool(drawing.is_digit),
        "model_version": str(drawing.model_version.name),
    }


def created_drawing_answer(drawing: Drawing) -> dict:
    """`CreatedDrawingSerializer(drawing).data`: a drawing just stored, with its delete token."""
    return {
        "id": str(drawing.pk),
        **preview_answer(drawing),
        "created": datetime_text(drawing.created),
        "source": drawing.source if drawing.source in ("", None) else str(drawing.source),
        "image_url": url_with_id("recognizer:prediction-image", drawing.pk),
        "input_url": url_with_id("recognizer:prediction-input", drawing.pk),
        "suggested_label": _int_or_none(drawing.suggested_label),
        "suggested_not_a_digit": bool_or_none(drawing.suggested_not_a_digit),
        "confirmed_label": _int_or_none(drawing.confirmed_label),
        "confirmed_not_a_digit": bool_or_none(drawing.confirmed_not_a_digit),
        "delete_token": None if drawing.delete_token is None else str(drawing.delete_token),
    }


def datetime_text(value) -> str | None:
    """`serializers.DateTimeField().to_representation`, None for None."""
    return None if value is None else _CREATED_FIELD.to_representation(value)


_PLACEHOLDER = uuid.UUID(int=0)


def url_with_id(name: str, pk: uuid.UUID) -> str:
    """`reverse(name, args=[pk])`: reversed once per URL name, script prefix, urlconf and language (a reverse
    costs ~0.05 ms), then the id put in its place; a UUID's text needs no quoting, so the result is the same."""
    return _url_template(name, get_script_prefix(), get_urlconf(), get_language()).replace(str(_PLACEHOLDER), str(pk))


@functools.lru_cache(maxsize=64)
def _url_template(name: str, script_prefix: str, urlconf, language) -> str:
    url = reverse(name, args=[_PLACEHOLDER])
    if url.count(str(_PLACEHOLDER)) != 1:
        raise ValueError(f"{name}: the id is not once in {url}")
    return url


def _int_or_none(value) -> int | None:
    return None if value is None else int(value)


def bool_or_none(value) -> bool | None:
    return None if value is None else bool(value)


class BatchResultSerializer(serializers.Serializer):
    """One slot of a batch answer: a stored drawing, or why that image was refused."""

    def to_representation(self, result):
        if isinstance(result, DrawingError):
            return {"status": "error", "error": error_messages.translate(str(result))}
        return {"status": "success", **created_drawing_answer(result)}


# Response shapes for the OpenAPI schema: the views build these bodies themselves (exceptions.py,
# BatchResultSerializer, health.py); these classes say what the bodies hold.


def _constant_field(value: str) -> serializers.Field:
    """A read-only string that is always `value`; the schema says so (an enum of one)."""
    field_class = extend_schema_field({"type": "string", "enum": [value]})(
        type(f"Constant{value.title()}Field", (serializers.CharField,), {})
    )
    return field_class(read_only=True)


class ErrorSerializer(serializers.Serializer):
    """Every error answer of the API (recognizer/exceptions.py)."""

    status = _constant_field("error")
    error = serializers.CharField(
        help_text="What is wrong, in one sentence, in the request's language: English, German, French, Spanish or "
        "Italian, chosen by `Accept-Language` (or the site's language cookie)."
    )


class BatchPredictionSerializer(CreatedDrawingSerializer):
    """A batch slot whose image was read and stored: the drawing, as `POST /api/predictions/` answers it."""

    status = _constant_field("success")

    class Meta(CreatedDrawingSerializer.Meta):
        fields = ["status", *CreatedDrawingSerializer.Meta.fields]
        read_only_fields = fields


class BatchErrorSerializer(serializers.Serializer):
    """A batch slot whose image was refused; nothing was stored for it."""

    status = _constant_field("error")
    error = serializers.CharField(help_text="Why this image was refused.")


class BatchResultsSerializer(serializers.Serializer):
    results = serializers.ListField(
        child=PolymorphicProxySerializer(
            component_name="BatchResult",
            serializers={"success": BatchPredictionSerializer, "error": BatchErrorSerializer},
            resource_type_field_name="status",
        ),
        help_text="One entry per image, in the order sent.",
    )


class HealthSerializer(serializers.Serializer):
    """`GET /health` (recognizer/health.py)."""

    status = serializers.ChoiceField(choices=["ok", "error"])
    model_loaded = serializers.BooleanField(help_text="The active model version loaded in this process.")
    model_version = serializers.CharField(allow_null=True, help_text="The active version; null when none is.")
    database = serializers.ChoiceField(choices=["ok", "error"])
    cache = serializers.ChoiceField(
        choices=["ok", "error"], required=False,
        help_text="Redis, only when REDIS_URL is set. Its outage alone leaves status ok: throttles fail open.",
    )
    error = serializers.CharField(required=False, help_text="What is unhealthy; only when status is error.")


class SeedPredictionSerializer(serializers.Serializer):
    """The Flask demo's answer, with the same keys and meanings for its clients, plus the not-a-digit fields."""

    prediction = serializers.IntegerField(source="predicted_digit")
    confidence = serializers.SerializerMethodField()
    digit_score = serializers.SerializerMethodField(
        help_text="How surely the drawing is a digit at all, 0-1; null when the model has no not-a-digit output."
    )
    is_digit = serializers.BooleanField(
        allow_null=True, help_text="digit_score reached the model's threshold; null without a not-a-digit output."
    )
    status = serializers.SerializerMethodField()

    def get_confidence(self, drawing: Drawing) -> float:
        return round(drawing.confidence, 4)

    def get_digit_score(self, drawing: Drawing) -> float | None:
        return _rounded(drawing.digit_score, 4)

    def get_status(self, drawing: Drawing) -> str:
        return "success"


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)
