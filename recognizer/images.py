"""The media type of an image, decided from its bytes and never from what the client claimed.

The image endpoint serves stored uploads back with this type, so a file can only ever come back as
the image format it was decoded as (nosniff is on); an upload labelled text/html stays an image.
"""
import io

from PIL import Image

MEDIA_TYPES = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "WEBP": "image/webp",
    "GIF": "image/gif",
    "BMP": "image/bmp",
}
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp", "image/gif": "gif", "image/bmp": "bmp"}


def media_type_of(data: bytes) -> str:
    """Only called on bytes `ml.preprocess.preprocess` accepted, so the format is one of MEDIA_TYPES."""
    with Image.open(io.BytesIO(data)) as image:
        return MEDIA_TYPES[image.format]
