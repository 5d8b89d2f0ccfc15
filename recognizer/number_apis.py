"""The /api/numbers/ resource: a whole number read from one image, its feedback and staff review.

Same rules as /api/predictions/ (apis.py), whose pieces it reuses: the same image parsing, size and
pixel limits, body limit and throttle scopes; anyone may read a number whose id they hold and say
what it really was; staff list and confirm.
"""
from django.utils.translation import gettext, gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from recognizer import number_services, selectors
from recognizer.apis import (
    ANY_PREDICTION_OPERATION,
    PAGE,
    PAGE_SIZE,
    BodyLimitMixin,
    StoredImageApi,
    check_pagination,
    image_schema,
    signed_in,
)
from recognizer.models import MAX_NUMBER_DIGITS
from recognizer.number_serializers import (
    NumberConfirmSerializer,
    NumberCreateSerializer,
    NumberFeedbackSerializer,
    NumberFilterSerializer,
    NumberSerializer,
    created_number_answer,
)
from recognizer.permissions import IsStaff
from recognizer.schema import (
    BAD_REQUEST,
    MODEL_UNAVAILABLE,
    NUMBER_NOT_FOUND,
    RETRY_AFTER,
    STAFF_ONLY,
    THROTTLED,
    UNSUPPORTED_MEDIA_TYPE,
    error_response,
)
from recognizer.throttles import AnonScopedRateThrottle

TAG = "numbers"


@extend_schema(tags=[TAG])
class NumberViewSet(BodyLimitMixin, viewsets.GenericViewSet):
    """Anyone may read a number, and read or correct one whose id they hold; staff list and confirm. A
    number read while signed in belongs to that user: only they and staff see it (selectors.visible_to_q)."""

    serializer_class = NumberSerializer
    lookup_value_regex = "[^/]+"
    public_actions = {"create", "retrieve", "feedback"}

    def get_permissions(self):
        return [AllowAny()] if self.action in self.public_actions else [IsStaff()]

    @property
    def throttle_scope(self):
        return {"create": "predict", "feedback": "feedback"}.get(self.action)

    def get_throttles(self):
        return [AnonScopedRateThrottle()]

    def get_object(self):
        number = selectors.number_get(number_id=self.kwargs["pk"], viewer=self.request.user)
        if number is None:
            raise NotFound(gettext("no number with this id"))
        return number

    @extend_schema(
        summary="Read the number in one image",
        description="Multipart `image`, or JSON `image` holding base64 or a data: URL, of a number written "
        f"left to right (at most {MAX_NUMBER_DIGITS} digits). The image and each digit are stored and "
        "answered with the reading: `number` holds digits only; separators and stray marks are in `rejected`. "
        "Ink with no digit in it is stored and answered with an empty `number`. An image that is not "
        f"readable, has no ink, is over the size or pixel limits or holds more than {MAX_NUMBER_DIGITS} "
        "digits is a 400 and stores nothing.",
        request=NumberCreateSerializer,
        parameters=[RETRY_AFTER],
        responses={
            201: OpenApiResponse(NumberSerializer, description="Stored, with the model's reading."),
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **UNSUPPORTED_MEDIA_TYPE,
            **THROTTLED,
            **MODEL_UNAVAILABLE,
        },
    )
    def create(self, request):
        serializer = NumberCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["image"]
        number = number_services.number_create(
            image=upload.data, content_type=upload.content_type, source=serializer.validated_data["source"],
            owner=signed_in(request.user),
        )
        return Response(created_number_answer(number), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="List numbers (staff)",
        description="Newest first, paginated, with filters for review work.",
        parameters=[NumberFilterSerializer, PAGE, PAGE_SIZE],
        responses={
            200: NumberSerializer(many=True),
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **STAFF_ONLY,
            **error_response(404, "No such page."),
        },
    )
    def list(self, request):
        filters = NumberFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        check_pagination(request.query_params)
        page = self.paginate_queryset(selectors.number_list(**filters.validated_data))
        return self.get_paginated_response(NumberSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a stored number",
        description="Anyone holding the id may read an anonymous number and its reading; a number read while "
        "signed in only its owner and staff (404 for anyone else).",
        responses={200: NumberSerializer, **ANY_PREDICTION_OPERATION, **NUMBER_NOT_FOUND},
    )
    def retrieve(self, request, pk=None):
        return Response(NumberSerializer(self.get_object()).data)

    @extend_schema(
        summary="Confirm a number (staff)",
        description="`{\"confirmed_number\": \"2026\"}`. With as many digits as were found, each digit's label "
        "is confirmed too (training uses them); with another count the number is kept with "
        "`confirmed_count_differs` true for review, and no digit label changes. `null` clears the number's "
        "confirmation (the digits' labels stay).",
        request=NumberConfirmSerializer,
        responses={
            200: NumberSerializer,
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **STAFF_ONLY,
            **NUMBER_NOT_FOUND,
            **UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def partial_update(self, request, pk=None):
        serializer = NumberConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        number = number_services.number_confirm(
            number=self.get_object(), value=serializer.validated_data["confirmed_number"], user=request.user
        )
        return Response(NumberSerializer(number).data)

    @extend_schema(
        summary="Say what the number really is",
        description="`{\"number\": \"2026\"}`, digits only. A suggestion for staff to review; with as many "
        "digits as were found, each digit's label is suggested too.",
        request=NumberFeedbackSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: NumberSerializer,
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **NUMBER_NOT_FOUND,
            **UNSUPPORTED_MEDIA_TYPE,
            **THROTTLED,
        },
    )
    @action(detail=True, methods=["post"])
    def feedback(self, request, pk=None):
        serializer = NumberFeedbackSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        number = number_services.number_suggest(number=self.get_object(), value=serializer.validated_data["number"])
        return Response(NumberSerializer(number).data)


@image_schema("Get a number's original image", "image/*", "The image as uploaded (PNG, JPEG, WebP, GIF or BMP).",
               tag=TAG, not_found=NUMBER_NOT_FOUND)
class NumberImageApi(StoredImageApi):
    missing = _("no number with this id")

    def image(self, pk, viewer):
        return selectors.number_image(number_id=pk, viewer=viewer)
