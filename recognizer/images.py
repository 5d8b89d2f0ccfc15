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


# The signatures Pillow's plugins accept these formats by (their `_accept`): mutually exclusive, so for
# bytes Pillow decoded as one of MEDIA_TYPES the signature names the same format, without a second parse.
SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
)


def media_type_of(data: bytes) -> str:
    """Only called on bytes `ml.preprocess.preprocess` accepted, so the format is one of MEDIA_TYPES."""
    for signature, image_format in SIGNATURES:
        if data.startswith(signature):
            return MEDIA_TYPES[image_format]
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return MEDIA_TYPES["WEBP"]
    with Image.open(io.BytesIO(data)) as image:  # not reached for accepted bytes; Pillow decides
        return MEDIA_TYPES[image.format]
