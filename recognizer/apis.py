"""The /api/predictions/ resource: each view validates, calls one service or selector, serializes."""
from django.conf import settings
from django.http import HttpResponse, QueryDict
from django.utils.translation import gettext, gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from recognizer import selectors, services
from recognizer.delete_tokens import token_matches
from recognizer.localized import grouped
from recognizer.exceptions import PayloadTooLarge
from recognizer.images import EXTENSIONS
from recognizer.permissions import IsStaff
from recognizer.schema import (
    BAD_CREDENTIALS,
    BAD_REQUEST,
    DELETE_TOKEN,
    MODEL_UNAVAILABLE,
    NOT_FOUND,
    NOT_YOURS,
    RETRY_AFTER,
    STAFF_ONLY,
    THROTTLED,
    TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    error_response,
)
from recognizer.serializers import (
    BatchResultSerializer,
    BatchResultsSerializer,
    ConfirmSerializer,
    CreatedDrawingSerializer,
    DeleteSerializer,
    DrawingFilterSerializer,
    DrawingSerializer,
    FeedbackSerializer,
    PredictionBatchSerializer,
    PredictionCreateSerializer,
    PredictionPreviewSerializer,
    PreviewRequestSerializer,
    created_drawing_answer,
    preview_answer,
)
from recognizer.throttles import AnonScopedRateThrottle

TAG = "predictions"
LAST_PAGE = "last"  # DRF's paginator reads page=last as the last page
PAGE = OpenApiParameter(
    "page",
    {"oneOf": [{"type": "integer", "minimum": 1}, {"type": "string", "enum": [LAST_PAGE]}]},
    description="Page number, from 1, or `last`.",
)
PAGE_SIZE = OpenApiParameter(
    "page_size", {"type": "integer", "minimum": 1}, description="Drawings per page; at most 200 are served."
)
# Answers any operation of the prediction resource can give: a body over the limit, or a bad token.
ANY_PREDICTION_OPERATION = {**TOO_LARGE, **BAD_CREDENTIALS}


def check_pagination(query: QueryDict) -> None:
    """DRF's paginator quietly serves page 1 for an empty page, and the default size for a page_size it
    cannot read; a typo should be a 400 instead. A page_size over the maximum is served at the maximum."""
    page, page_size = query.get(PAGE.name), query.get(PAGE_SIZE.name)
    if page is not None and not (_is_count(page) or page == LAST_PAGE):
        raise ValidationError({PAGE.name: gettext("must be a whole number, at least 1, or '%(last)s'") % {"last": LAST_PAGE}})
    if page_size is not None and not _is_count(page_size):
        raise ValidationError({PAGE_SIZE.name: gettext("must be a whole number, at least 1")})


def _is_count(value: str) -> bool:
    return value.isascii() and value.isdigit() and int(value) >= 1


def signed_in(user):
    """The user a stored drawing or number belongs to: the signed-in one (session or token), else None."""
    return user if user.is_authenticated else None


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
            raise PayloadTooLarge(gettext("request body too large: %(size)s bytes, the limit is %(limit)s bytes")
                                  % {"size": grouped(int(length)), "limit": grouped(limit)})
        super().initial(request, *args, **kwargs)


@extend_schema(tags=[TAG])
class PredictionViewSet(BodyLimitMixin, viewsets.GenericViewSet):
    """Anyone may predict or preview, read or label a drawing whose id they hold, and delete one with its
    delete token; staff list, confirm and delete any. A drawing made while signed in belongs to that user:
    only they (who may delete it without the token) and staff see it (selectors.visible_to_q)."""

    serializer_class = DrawingSerializer
    lookup_value_regex = "[^/]+"
    public_actions = {"create", "batch", "preview", "retrieve", "feedback", "destroy"}

    def get_permissions(self):
        return [AllowAny()] if self.action in self.public_actions else [IsStaff()]

    @property
    def throttle_scope(self):
        return {"create": "predict", "batch": "predict", "preview": "preview", "feedback": "feedback"}.get(self.action)

    def get_throttles(self):
        return [AnonScopedRateThrottle()]

    def body_limit(self) -> int:
        return settings.DIGITS_MAX_REQUEST_BYTES if self.action == "batch" else single_image_body_limit()

    def get_object(self):
        drawing = selectors.drawing_get(drawing_id=self.kwargs["pk"], viewer=self.request.user)
        if drawing is None:
            raise NotFound(gettext("no drawing with this id"))
        return drawing

    @extend_schema(
        summary="Predict the digit in one image",
        description="Multipart `image`, or JSON `image` holding base64 or a data: URL. The drawing is stored "
        "and answered with its prediction and a `delete_token`, shown only here; a bad image is a 400 and "
        "stores nothing. To only see the answer, storing nothing, use `POST /api/predictions/preview/`. "
        "Sent while signed in (session or `Authorization: Token <key>`), the drawing is yours: only you and "
        "staff can read it.",
        request=PredictionCreateSerializer,
        parameters=[RETRY_AFTER],
        responses={
            201: OpenApiResponse(CreatedDrawingSerializer, description="Stored, with the model's answer."),
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **UNSUPPORTED_MEDIA_TYPE,
            **THROTTLED,
            **MODEL_UNAVAILABLE,
        },
    )
    def create(self, request):
        serializer = PredictionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        upload = serializer.validated_data["image"]
        drawing = services.drawing_create(
            image=upload.data, content_type=upload.content_type, source=serializer.validated_data["source"],
            owner=signed_in(request.user),
        )
        return Response(created_drawing_answer(drawing), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Predict the digit in one image, storing nothing",
        description="The same input, limits and errors as `POST /api/predictions/`, and the same answer "
        "fields without `id`: nothing is stored, so nothing can be fetched, labelled or deleted later. "
        "For live answers while drawing; throttled on its own, higher budget.",
        request=PreviewRequestSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: OpenApiResponse(PredictionPreviewSerializer, description="The model's answer; nothing stored."),
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **UNSUPPORTED_MEDIA_TYPE,
            **THROTTLED,
            **MODEL_UNAVAILABLE,
        },
    )
    @action(detail=False, methods=["post"])
    def preview(self, request):
        serializer = PreviewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        drawing = services.drawing_preview(image=serializer.validated_data["image"].data)
        return Response(preview_answer(drawing))

    @extend_schema(
        summary="Predict several images",
        description="One result per item, in order: the stored drawing, or an error entry for an item that "
        "is not a readable image, whatever is wrong with it (the others are still stored). 201 when at least "
        "one was stored, else 200. A body that is not a list of 1 to the maximum items is a 400.",
        request=PredictionBatchSerializer,
        parameters=[RETRY_AFTER],
        responses={
            201: OpenApiResponse(BatchResultsSerializer, description="At least one image was stored."),
            200: OpenApiResponse(BatchResultsSerializer, description="No image was stored: every entry is an error."),
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **UNSUPPORTED_MEDIA_TYPE,
            **THROTTLED,
            **MODEL_UNAVAILABLE,
        },
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        """201 when at least one drawing was stored, else 200; a refused image answers in its slot."""
        serializer = PredictionBatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        results = services.drawing_create_batch(
            images=serializer.validated_data["images"], owner=signed_in(request.user)
        )
        stored = any(not isinstance(r, Exception) for r in results)
        body = {"results": [BatchResultSerializer(r).data for r in results]}
        return Response(body, status=status.HTTP_201_CREATED if stored else status.HTTP_200_OK)

    @extend_schema(
        summary="List drawings (staff)",
        description="Newest first, paginated, with filters for review work.",
        parameters=[DrawingFilterSerializer, PAGE, PAGE_SIZE],
        responses={
            200: DrawingSerializer(many=True),
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **STAFF_ONLY,
            **error_response(404, "No such page."),
        },
    )
    def list(self, request):
        filters = DrawingFilterSerializer(data=request.query_params.dict())
        filters.is_valid(raise_exception=True)
        check_pagination(request.query_params)
        page = self.paginate_queryset(selectors.drawing_list(**filters.validated_data))
        return self.get_paginated_response(DrawingSerializer(page, many=True).data)

    @extend_schema(
        summary="Get a stored drawing",
        description="Anyone holding the id may read an anonymous drawing and its prediction; a drawing made "
        "while signed in only its owner and staff (404 for anyone else).",
        responses={200: DrawingSerializer, **ANY_PREDICTION_OPERATION, **NOT_FOUND},
    )
    def retrieve(self, request, pk=None):
        return Response(DrawingSerializer(self.get_object()).data)

    @extend_schema(
        summary="Confirm a drawing's label (staff)",
        description="`{\"confirmed_label\": 4}` confirms the digit training uses, `{\"confirmed_not_a_digit\": "
        "true}` that it is no digit; exactly one of the two (each replaces the other), "
        "`{\"confirmed_label\": null}` clears either.",
        request=ConfirmSerializer,
        responses={
            200: DrawingSerializer,
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **STAFF_ONLY,
            **NOT_FOUND,
            **UNSUPPORTED_MEDIA_TYPE,
        },
    )
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

    @extend_schema(
        summary="Say what the drawing really is",
        description="`{\"label\": 4}`: it was a 4, or `{\"not_a_digit\": true}`: it is no digit; exactly one of "
        "the two, and each replaces the other. A suggestion for staff to review, not a confirmed label.",
        request=FeedbackSerializer,
        parameters=[RETRY_AFTER],
        responses={
            200: DrawingSerializer,
            **BAD_REQUEST,
            **ANY_PREDICTION_OPERATION,
            **NOT_FOUND,
            **UNSUPPORTED_MEDIA_TYPE,
            **THROTTLED,
        },
    )
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


    @extend_schema(
        summary="Delete a drawing",
        description="With the `delete_token` its creation answer gave (header `X-Delete-Token`, or JSON "
        "`{\"delete_token\": ...}`), as its signed-in owner, or as staff. The drawing, its images, any "
        "feedback and its place in the training sets of model versions trained on it are removed; those "
        "versions stay as they are. "
        "A digit of a number is a 400: it is deleted with its number.",
        request=None,  # a DELETE body cannot be documented (OpenAPI 3.0); the description says it
        parameters=[DELETE_TOKEN],
        responses={
            204: OpenApiResponse(description="Deleted."),
            **BAD_REQUEST,
            **TOO_LARGE,
            **NOT_YOURS,
            **NOT_FOUND,
            **UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def destroy(self, request, pk=None):
        body = DeleteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        token = _delete_token(request.headers.get(DELETE_TOKEN.name), body.validated_data.get("delete_token"))
        drawing = self.get_object()
        owner = drawing.owner_id is not None and drawing.owner_id == request.user.pk
        if not (request.user.is_staff or owner or token_matches(token, drawing.delete_token_hash)):
            raise PermissionDenied(gettext("the delete token is missing or wrong for this drawing"))
        try:
            services.drawing_delete(drawing=drawing)
        except services.DigitOfANumber as err:
            raise ValidationError(str(err)) from None
        return Response(status=status.HTTP_204_NO_CONTENT)


def _delete_token(header: str | None, body: str | None) -> str | None:
    """Either place will do; two different tokens are a mistake worth saying, not a guess at the right one."""
    if header is not None and body is not None and header != body:
        raise ValidationError(gettext("send the delete token once: the X-Delete-Token header and the body differ"))
    return header if header is not None else body


class StoredImageApi(APIView):
    """Serves stored bytes as an image to whoever may read the JSON resource: anyone holding the id of an
    anonymous row, the owner (session or token) and staff for one made while signed in."""

    permission_classes = [AllowAny]
    missing = _("no drawing with this id")  # the 404 message, in the request's language

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)  # <img> Accept headers vary

    def image(self, pk, viewer) -> tuple[bytes, str] | None:
        """The bytes and media type, or None when there is no such row `viewer` may see."""
        raise NotImplementedError

    def get(self, request, pk):
        found = self.image(pk, request.user)
        if found is None:
            raise NotFound(self.missing)
        data, media_type = found
        if media_type not in EXTENSIONS:  # only a row written outside the services could hold another type
            raise NotFound(gettext("no image for this drawing"))
        response = HttpResponse(data, content_type=media_type)
        extension = EXTENSIONS.get(media_type, "img")
        response["Content-Disposition"] = f'inline; filename="{pk}.{extension}"'
        response["Cache-Control"] = "private, max-age=86400"
        response["Content-Security-Policy"] = "default-src 'none'"
        return response


def image_schema(summary: str, media_type: str, description: str, *, tag: str = TAG, not_found=NOT_FOUND):
    return extend_schema_view(
        get=extend_schema(
            summary=summary,
            description=description,
            tags=[tag],
            responses={
                (200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description),
                **BAD_CREDENTIALS,
                **not_found,
            },
        )
    )


@image_schema("Get a drawing's original image", "image/*", "The image as uploaded (PNG, JPEG, WebP, GIF or BMP).")
class DrawingImageApi(StoredImageApi):
    def image(self, pk, viewer):
        return selectors.drawing_image(drawing_id=pk, viewer=viewer)


@image_schema("Get the 28x28 model input", "image/png", "The 28x28 grayscale image the model read.")
class DrawingInputApi(StoredImageApi):
    def image(self, pk, viewer):
        png = selectors.drawing_input_png(drawing_id=pk, viewer=viewer)
        return None if png is None else (png, "image/png")
