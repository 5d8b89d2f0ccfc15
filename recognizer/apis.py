"""The /api/predictions/ resource: each view validates, calls one service or selector, serializes."""
from django.conf import settings
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from recognizer import selectors, services
from recognizer.exceptions import PayloadTooLarge
from recognizer.images import EXTENSIONS
from recognizer.permissions import IsStaff
from recognizer.serializers import (
    BatchResultSerializer,
    ConfirmSerializer,
    DrawingFilterSerializer,
    DrawingSerializer,
    FeedbackSerializer,
    PredictionBatchSerializer,
    PredictionCreateSerializer,
)
from recognizer.throttles import AnonScopedRateThrottle

ERROR = inline_serializer("Error", {"status": serializers.CharField(), "error": serializers.CharField()})
BATCH = inline_serializer("BatchResults", {"results": serializers.ListField(child=serializers.DictField())})


def single_image_body_limit() -> int:
    """One image, base64-inflated (4/3), plus room for multipart headers and other fields."""
    return settings.DIGITS_MAX_UPLOAD_BYTES * 4 // 3 + 64 * 1024


class BodyLimitMixin:
    """413 before anything is read when Content-Length is over the view's limit."""

    def body_limit(self) -> int:
        return single_image_body_limit()

    def initial(self, request, *args, **kwargs):
        length, limit = request.META.get("CONTENT_LENGTH") or "", self.body_limit()
        if length.isdigit() and int(length) > limit:
            raise PayloadTooLarge(f"request body too large: {int(length):,} bytes, the limit is {limit:,} bytes")
        super().initial(request, *args, **kwargs)


class PredictionViewSet(BodyLimitMixin, viewsets.GenericViewSet):
    """Anyone may predict, and read or label a drawing whose id they hold; staff list and confirm."""

    serializer_class = DrawingSerializer
    lookup_value_regex = "[^/]+"
    public_actions = {"create", "batch", "retrieve", "feedback"}

    def get_permissions(self):
        return [AllowAny()] if self.action in self.public_actions else [IsStaff()]

    @property
    def throttle_scope(self):
        return {"create": "predict", "batch": "predict", "feedback": "feedback"}.get(self.action)

    def get_throttles(self):
        return [AnonScopedRateThrottle()]

    def body_limit(self) -> int:
        return settings.DIGITS_MAX_REQUEST_BYTES if self.action == "batch" else single_image_body_limit()

    def get_object(self):
        drawing = selectors.drawing_get(drawing_id=self.kwargs["pk"])
        if drawing is None:
            raise NotFound("no drawing with this id")
        return drawing

    @extend_schema(request=PredictionCreateSerializer, responses={201: DrawingSerializer, 400: ERROR, 503: ERROR})
    def create(self, request):
        serializer = PredictionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["image"]
        drawing = services.drawing_create(
            image=upload.data, content_type=upload.content_type, source=serializer.validated_data["source"]
        )
        return Response(DrawingSerializer(drawing).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PredictionBatchSerializer, responses={201: BATCH, 200: BATCH, 400: ERROR})
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """201 when at least one drawing was stored, else 200; a refused image answers in its slot."""
        serializer = PredictionBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = services.drawing_create_batch(images=serializer.validated_data["images"])
        stored = any(not isinstance(r, Exception) for r in results)
        body = {"results": [BatchResultSerializer(r).data for r in results]}
        return Response(body, status=status.HTTP_201_CREATED if stored else status.HTTP_200_OK)

    @extend_schema(parameters=[DrawingFilterSerializer], responses={200: DrawingSerializer(many=True), 403: ERROR})
    def list(self, request):
        filters = DrawingFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.drawing_list(**filters.validated_data))
        return self.get_paginated_response(DrawingSerializer(page, many=True).data)

    @extend_schema(responses={200: DrawingSerializer, 404: ERROR})
    def retrieve(self, request, pk=None):
        return Response(DrawingSerializer(self.get_object()).data)

    @extend_schema(request=ConfirmSerializer, responses={200: DrawingSerializer, 400: ERROR, 403: ERROR})
    def partial_update(self, request, pk=None):
        """Staff confirm the label training uses, or that the drawing is not a digit; each replaces the other."""
        serializer = ConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        drawing, answer = self.get_object(), serializer.validated_data
        if answer.get("confirmed_not_a_digit"):
            drawing = services.drawing_confirm_not_a_digit(drawing=drawing, user=request.user)
        else:
            label = answer["confirmed_label"]
            drawing = services.drawing_confirm_label(drawing=drawing, label=label, user=request.user)
        return Response(DrawingSerializer(drawing).data)

    @extend_schema(request=FeedbackSerializer, responses={200: DrawingSerializer, 400: ERROR, 404: ERROR})
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        """The user says which digit they drew, or that it is not a digit (a suggestion, for staff to review)."""
        serializer = FeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        drawing, answer = self.get_object(), serializer.validated_data
        if answer.get("not_a_digit"):
            drawing = services.drawing_suggest_not_a_digit(drawing=drawing)
        else:
            drawing = services.drawing_suggest_label(drawing=drawing, label=answer["label"])
        return Response(DrawingSerializer(drawing).data)


class _StoredImageApi(APIView):
    """Serves stored bytes as an image: anyone holding the id may fetch it, like the JSON resource."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # <img> Accept headers vary

    def image(self, pk) -> tuple[bytes, str] | None:
        raise NotImplementedError

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY, 404: OpenApiResponse(ERROR)})
    def get(self, request, pk):
        found = self.image(pk)
        if found is None:
            raise NotFound("no drawing with this id")
        data, media_type = found
        if media_type not in EXTENSIONS:  # only a row written outside the services could hold another type
            raise NotFound("no image for this drawing")
        response = HttpResponse(data, content_type=media_type)
        extension = EXTENSIONS.get(media_type, "img")
        response["Content-Disposition"] = f'inline; filename="{pk}.{extension}"'
        response["Cache-Control"] = "private, max-age=86400"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response


class DrawingImageApi(_StoredImageApi):
    def image(self, pk):
        return selectors.drawing_image(drawing_id=pk)


class DrawingInputApi(_StoredImageApi):
    def image(self, pk):
        png = selectors.drawing_input_png(drawing_id=pk)
        return None if png is None else (png, "image/png")
