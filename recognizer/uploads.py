"""An image as a client sends it (multipart file, base64 string or data: URL) → its bytes.

Only transport is checked here (present, non-empty, decodable, within the byte limit); whether the
bytes are a usable drawing is `ml.preprocess`'s call. Problems raise DrawingError with a message
for the user, in the request's language.
"""
import base64
import binascii
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext

from ml.preprocess import DrawingError
from recognizer.localized import grouped

URLSAFE = str.maketrans("-_", "+/")


@dataclass(frozen=True)
class Upload:
    data: bytes
    content_type: str  # as claimed by the client; informational only


def read_image(value) -> Upload:
    limit = settings.DIGITS_MAX_UPLOAD_BYTES
    if isinstance(value, UploadedFile):
        _check_size(value.size or 0, limit)
        return Upload(value.read(), value.content_type or "")
    if isinstance(value, str):
        return _from_base64(value, limit)
    raise DrawingError(gettext("expected a file upload or a base64 string"))


def _from_base64(text: str, limit: int) -> Upload:
    claimed = ""
    text = text.strip()
    if text.startswith("data:"):
        header, comma, text = text.partition(",")
        if not comma or not header.endswith(";base64"):
            raise DrawingError(gettext("not a base64 data URL; expected data:image/png;base64,..."))
        claimed = header[5:].split(";")[0]
    text = "".join(text.split()).translate(URLSAFE)
    if len(text) * 3 // 4 > limit + 2:
        raise DrawingError(gettext("image too large: about %(size)s bytes, the limit is %(limit)s bytes")
                           % {"size": grouped(len(text) * 3 // 4), "limit": grouped(limit)})
    try:
        data = base64.b64decode(text + "=" * (-len(text) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise DrawingError(gettext("not valid base64")) from None
    _check_size(len(data), limit)
    return Upload(data, claimed)


def _check_size(size: int, limit: int) -> None:
    if size == 0:
        raise DrawingError(gettext("the image file is empty"))
    if size > limit:
        raise DrawingError(gettext("image too large: %(size)s bytes, the limit is %(limit)s bytes")
                           % {"size": grouped(size), "limit": grouped(limit)})
