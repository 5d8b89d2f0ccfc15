"""What the OpenAPI schema says beyond what drf-spectacular reads from the views.

The error answers every view shares (each an `Error` body, recognizer/exceptions.py), the
`Retry-After` header of a throttled answer, and a postprocessing hook (SPECTACULAR_SETTINGS) that
shows public operations without a padlock. Views list the answers they can give with these, e.g.
`responses={200: DrawingSerializer, **NOT_FOUND, **THROTTLED}` and `parameters=[RETRY_AFTER]`.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from recognizer.serializers import ErrorSerializer

ANONYMOUS = {}  # the security requirement drf-spectacular adds for views that allow anyone (AllowAny)


def error_response(status: int, description: str) -> dict[int, OpenApiResponse]:
    """`{status: an Error body described as description}`, to merge into a view's `responses`."""
    return {status: OpenApiResponse(ErrorSerializer, description=description)}


BAD_REQUEST = error_response(400, "The request is invalid (the message says what is wrong); nothing was changed.")
BAD_CREDENTIALS = error_response(
    403, "Credentials were sent and are not valid (an unknown token). Send none to use it anonymously."
)
STAFF_ONLY = error_response(
    403, "Staff only: sign in as staff (session) or send `Authorization: Token <key>` of a staff user."
)
NOT_FOUND = error_response(404, "No drawing with this id.")
NOT_YOURS = error_response(
    403,
    "The delete token is missing or wrong, and the caller is not staff; or credentials were sent that are "
    "not valid (an unknown token).",
)
NUMBER_NOT_FOUND = error_response(404, "No number with this id.")
TOO_LARGE = error_response(
    413, "The request body is over the limit (`Content-Length` is checked before anything is read)."
)
UNSUPPORTED_MEDIA_TYPE = error_response(415, "The body's content type is not one this operation reads.")
THROTTLED = error_response(
    429,
    "Too many requests from this client (per address; per account when signed in, staff never): "
    "wait `Retry-After` seconds.",
)
MODEL_UNAVAILABLE = error_response(
    503, "The active model cannot be loaded, or the database is unavailable; try again later. Nothing was stored."
)

DELETE_TOKEN = OpenApiParameter(
    name="X-Delete-Token",
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="The `delete_token` the creation answer gave (or send it as `delete_token` in a JSON body).",
)

RETRY_AFTER = OpenApiParameter(
    name="Retry-After",
    type=OpenApiTypes.INT,
    location=OpenApiParameter.HEADER,
    response=[429],
    required=True,
    description="Seconds to wait before this client's next request can be accepted.",
)


def drop_anonymous_security(result: dict, generator, request, public: bool) -> dict:
    """Postprocessing hook: an operation that anyone may call shows no security requirement (no padlock).

    drf-spectacular lists the view's authenticators plus `{}` (anonymous) for AllowAny views; for
    those the credentials are optional, so the documented requirement is none. Staff-only operations
    keep theirs (session or token).
    """
    for path in result.get("paths", {}).values():
        for operation in path.values():
            if ANONYMOUS in operation.get("security", []):
                del operation["security"]
    return result
