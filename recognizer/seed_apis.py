"""The Flask demo's endpoints, kept working for its clients: `POST /predict` and `GET /health`."""
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from recognizer import services
from recognizer.apis import ERROR, BodyLimitMixin
from recognizer.health import health_status
from recognizer.models import Drawing
from recognizer.parsers import DataURLFormParser, DataURLTextParser, JSONParser
from recognizer.serializers import PredictionCreateSerializer, SeedPredictionSerializer
from recognizer.throttles import AnonScopedRateThrottle

RAW_DATA_URL = {
    "type": "string",
    "description": "The whole body is one data: URL, as the demo page sends it (no field name).",
    "example": "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ...",
}
PREDICT_REQUEST = {
    "application/json": PredictionCreateSerializer,
    "multipart/form-data": PredictionCreateSerializer,
    "application/x-www-form-urlencoded": RAW_DATA_URL,
    "text/plain": RAW_DATA_URL,
}

HEALTH = inline_serializer(
    "Health",
    {
        "status": serializers.CharField(),
        "model_loaded": serializers.BooleanField(),
        "model_version": serializers.CharField(allow_null=True),
        "database": serializers.CharField(),
    },
)


class SeedPredictApi(BodyLimitMixin, APIView):
    """Sessionless, like the demo: no CSRF or login involved, throttled per IP as anonymous.

    Takes what the demo's clients send: JSON or multipart with an `image` field, or the demo page's
    raw data: URL body (form or text content type).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonScopedRateThrottle]
    throttle_scope = "predict"
    parser_classes = [JSONParser, MultiPartParser, DataURLFormParser, DataURLTextParser]

    @extend_schema(request=PREDICT_REQUEST, responses={200: SeedPredictionSerializer, 400: ERROR})
    def post(self, request):
        serializer = PredictionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["image"]
        drawing = services.drawing_create(image=upload.data, content_type=upload.content_type, source=Drawing.Source.SEED)
        return Response(SeedPredictionSerializer(drawing).data)


class SeedPredictSlashApi(SeedPredictApi):
    """`POST /predict/`, where the demo's own page posts: the same endpoint as `/predict`."""

    @extend_schema(
        request=PREDICT_REQUEST, responses={200: SeedPredictionSerializer, 400: ERROR}, operation_id="predict_slash"
    )
    def post(self, request):
        return super().post(request)


class HealthApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: HEALTH, 503: HEALTH})
    def get(self, request):
        body = health_status()
        healthy = body["status"] == "ok"
        return Response(body, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE)
