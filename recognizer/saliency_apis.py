"""GET /api/predictions/{id}/saliency: which parts of the drawing drove the answer, as a PNG heatmap.

Readable like the drawing's /image and /input: anyone holding the id of an anonymous drawing, the owner
and staff for one made while signed in (selectors.visible_to_q). A GET computes the map
and stores nothing (recognizer/saliency_selectors.py); the browser keeps it (Cache-Control, one day),
which is safe because a drawing's answer and answering version never change.
"""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from django.utils.translation import gettext
from rest_framework.exceptions import NotFound

from recognizer import saliency_selectors, selectors
from recognizer.apis import TAG, StoredImageApi
from recognizer.schema import BAD_CREDENTIALS, NOT_FOUND, error_response

DESCRIPTION = (
    "A 280x280 PNG: the drawing's 28x28 model input with a heatmap over it, from dark purple (hiding this "
    "part changes nothing) to yellow (hiding it lowers the model's belief in its answer the most). Computed "
    "by occlusion with the model version that answered the drawing, for the answer it gave (the digit, or "
    "\"not a digit\"). Nothing is stored."
)
UNAVAILABLE = error_response(503, "The model version that answered this drawing cannot be loaded; try again later.")


@extend_schema_view(
    get=extend_schema(
        summary="Get a heatmap of what drove the answer",
        description=DESCRIPTION,
        tags=[TAG],
        responses={
            (200, "image/png"): OpenApiResponse(OpenApiTypes.BINARY, description=DESCRIPTION),
            **BAD_CREDENTIALS,
            **NOT_FOUND,
            **UNAVAILABLE,
        },
    )
)
class DrawingSaliencyApi(StoredImageApi):
    def image(self, pk, viewer):
        if selectors.drawing_get(drawing_id=pk, viewer=viewer) is None:
            return None  # no such drawing, or not one this viewer may see
        try:
            png = saliency_selectors.drawing_saliency_png(drawing_id=pk)
        except saliency_selectors.UnreadableInput:
            raise NotFound(gettext("the stored model input of this drawing cannot be read")) from None
        return None if png is None else (png, "image/png")
