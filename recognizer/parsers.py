"""Request body parsers: DRF's, made safe, plus the Flask demo page's raw data: URL bodies."""
import io

from django.http import QueryDict
from django.utils.translation import gettext
from rest_framework import parsers
from rest_framework.exceptions import ParseError

DATA_URL_PREFIX = b"data:"
IMAGE_FIELD = "image"


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that nesting too deep for Python's decoder is a 400, not a 500.

    `[[[[...]]]]` a thousand levels deep is a few kilobytes, well inside the body limit, and makes
    `json.load` raise RecursionError, which DRF does not catch.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(gettext("JSON parse error - nested too deeply")) from None


class DataURLFormParser(parsers.FormParser):
    """A form body, or the Flask demo page's raw `data:image/jpeg;base64,...` body sent as a form.

    The demo page posts `canvas.toDataURL()` as the whole body, with a form content type and no field
    name. Parsed as a form, its `+` would turn into spaces and its `=` into a key/value split, so a
    body that starts with `data:` is taken whole as the `image` field. Any other body is a form.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        if _is_data_url(body):
            return _image_field(body)
        return super().parse(io.BytesIO(body), media_type, parser_context)


class DataURLTextParser(parsers.BaseParser):
    """A `text/plain` body holding one data: URL (what `fetch(url, {body: dataUrl})` sends)."""

    media_type = "text/plain"

    def parse(self, stream, media_type=None, parser_context=None):
        body = stream.read()
        if not _is_data_url(body):
            raise ParseError(gettext("a text/plain body must be a data: URL, such as data:image/png;base64,..."))
        return _image_field(body)


def _is_data_url(body: bytes) -> bool:
    return body.lstrip()[: len(DATA_URL_PREFIX)].lower() == DATA_URL_PREFIX


def _image_field(body: bytes) -> QueryDict:
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError:
        raise ParseError(gettext("a data: URL body must be ASCII text")) from None
    data = QueryDict(mutable=True)
    data[IMAGE_FIELD] = text
    data._mutable = False  # as Django's own request.POST
    return data
