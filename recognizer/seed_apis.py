"""The Flask demo's endpoints, kept working for its clients: `POST /predict` and `GET /health`."""
from django.contrib.auth import get_user
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from recognizer import services
from recognizer.apis import BodyLimitMixin, signed_in
from recognizer.health import health_status
from recognizer.models import Drawing
from recognizer.outages import mark_logged
from recognizer.parsers import DataURLFormParser, DataURLTextParser, JSONParser
from recognizer.schema import BAD_REQUEST, MODEL_UNAVAILABLE, RETRY_AFTER, THROTTLED, TOO_LARGE, UNSUPPORTED_MEDIA_TYPE
from recognizer.serializers import HealthSerializer, PredictionCreateSerializer, SeedPredictionSerializer
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
SEED_TAG = "demo API"
PREDICT_SCHEMA = {
    "summary": "Predict a digit (the Flask demo's API)",
    "description": "What the old demo's clients send: JSON or multipart with an `image` field, or the demo "
    "page's raw data: URL body (form or text content type). No login or CSRF token needed; throttled "
    "per address. Sent from a browser signed in to this site, the drawing is that user's.",
    "tags": [SEED_TAG],
    "request": PREDICT_REQUEST,
    "parameters": [RETRY_AFTER],
    "responses": {
        200: SeedPredictionSerializer,
        **BAD_REQUEST,
        **TOO_LARGE,
        **UNSUPPORTED_MEDIA_TYPE,
        **THROTTLED,
        **MODEL_UNAVAILABLE,
    },
}


class SeedPredictApi(BodyLimitMixin, APIView):
    """Like the demo: no login or CSRF token needed, throttled per IP as anonymous.

    Takes what the demo's clients send: JSON or multipart with an `image` field, or the demo page's
    raw data: URL body (form or text content type). A browser that is signed in to this site still
    sends its session cookie (same site only: SameSite=Lax keeps other sites' posts anonymous); the
    drawing is then that user's, as on /api/predictions/ (`auth.get_user`: this view authenticates nothing).
    """

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = [AnonScopedRateThrottle]
    throttle_scope = "predict"
    parser_classes = [JSONParser, MultiPartParser, DataURLFormParser, DataURLTextParser]

    @extend_schema(**PREDICT_SCHEMA)
    def post(self, request):
        serializer = PredictionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["image"]
        drawing = services.drawing_create(
            image=upload.data, content_type=upload.content_type, source=Drawing.Source.SEED,
            owner=signed_in(get_user(request._request)),  # the session's user: DRF's is anonymous here
        )
        return Response(SeedPredictionSerializer(drawing).data)


class SeedPredictSlashApi(SeedPredictApi):
    """`POST /predict/`, where the demo's own page posts: the same endpoint as `/predict`."""

    @extend_schema(**PREDICT_SCHEMA, operation_id="predict_slash")
    def post(self, request):
        return super().post(request)


class HealthApi(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        summary="Is this server healthy?",
        description="The database answers and the active model loads: 200, else 503 with `error` saying why. "
        "`database` and `cache` name each dependency's state; a cache (Redis) outage alone stays 200, since "
        "predictions go on unthrottled. For load balancers and monitors.",
        tags=["health"],
        responses={
            200: OpenApiResponse(HealthSerializer, description="Healthy."),
            503: OpenApiResponse(HealthSerializer, description="Unhealthy: `error` says why."),
        },
    )
    def get(self, request):
        body = health_status()
        healthy = body["status"] == "ok"
        response = Response(body, status=status.HTTP_200_OK if healthy else status.HTTP_503_SERVICE_UNAVAILABLE)
        return mark_logged(response) if body["database"] == "error" else response  # health.py logged why
