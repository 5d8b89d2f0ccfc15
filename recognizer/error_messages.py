"""The visitor's language for API error messages written where they cannot be marked for translation.

Most messages are marked where they are written (gettext in the serializers, uploads.py, the views). A few
reach clients from code that must not depend on Django's translation machinery, or that is not ours:
`ml/` (DrawingError: the image is empty, corrupt, too large, has no digit), the services' refusals, the
model files' ModelUnavailable reasons, Django's SuspiciousOperation messages and DRF's JSON parse error.
Those arrive here as English text; `translate` finds the message among the known ones (exactly, or by a
pattern with its figures) and answers it in the active language, figures written the language's way. A
message it does not know is returned unchanged: DRF's own are translated by DRF (and drf_messages.py).

When code in one of those places changes a message, the pattern here must follow, or the message stays
English: tests/recognizer/test_i18n.py checks an example of every one, and the real ml.preprocess ones.
"""
import re
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from recognizer.localized import grouped


@dataclass(frozen=True)
class Known:
    pattern: re.Pattern
    message: str  # lazy: the translation of the whole message, with %(name)s for each named group
    numbers: tuple[str, ...] = ()  # groups holding a figure ("16,000,000"), written again the language's way


def known(pattern: str, message, numbers: tuple[str, ...] = ()) -> Known:
    return Known(re.compile(pattern + r"\Z"), message, numbers)


NUMBER = r"[\d,]+"
KNOWN = [
    # ml/preprocess.py
    known(r"no digit found in the drawing", _("no digit found in the drawing")),
    known(r"the image file is empty", _("the image file is empty")),
    known(r"not an image, or an image format we cannot read", _("not an image, or an image format we cannot read")),
    known(rf"image too large: more than (?P<limit>{NUMBER}) pixels",
          _("image too large: more than %(limit)s pixels"), ("limit",)),
    known(r"the image is corrupt \((?P<reason>.*)\)", _("the image is corrupt (%(reason)s)")),
    known(r"unsupported image format (?P<format>\S+); send PNG, JPEG, WebP, GIF or BMP",
          _("unsupported image format %(format)s; send PNG, JPEG, WebP, GIF or BMP")),
    known(rf"image too large: (?P<width>\d+)x(?P<height>\d+) pixels, the limit is (?P<limit>{NUMBER}) pixels",
          _("image too large: %(width)sx%(height)s pixels, the limit is %(limit)s pixels"), ("limit",)),
    known(r"the image is truncated or corrupt \((?P<reason>\w+)\)", _("the image is truncated or corrupt (%(reason)s)")),
    # ml/numbers/reading.py
    known(r"no ink found in the drawing", _("no ink found in the drawing")),
    known(r"too many digits: (?P<found>\d+) found, at most (?P<limit>\d+) are read",
          _("too many digits: %(found)s found, at most %(limit)s are read")),
    known(r"too many separate strokes: at most (?P<limit>\d+) digits are read",
          _("too many separate strokes: at most %(limit)s digits are read")),
    # recognizer/services.py (DigitOfANumber)
    known(r"this drawing is digit (?P<position>\d+) of number (?P<number>\S+): delete the number instead "
          r"\(in the admin\), which deletes its digits with it",
          _("this drawing is digit %(position)s of number %(number)s: delete the number instead (in the admin), "
            "which deletes its digits with it")),
    # recognizer/model_files.py and predictors.py (ModelUnavailable)
    known(r"the model file of version (?P<version>.+) cannot be loaded",
          _("the model file of version %(version)s cannot be loaded")),
    known(r"the model file of version (?P<version>.+) is neither on this server nor in the database",
          _("the model file of version %(version)s is neither on this server nor in the database")),
    known(r"the stored model file of version (?P<version>.+) does not match its checksum",
          _("the stored model file of version %(version)s does not match its checksum")),
    known(r"this server cannot write its copy of model version (?P<version>.+)",
          _("this server cannot write its copy of model version %(version)s")),
    # rest_framework.parsers.JSONParser (not marked for translation there; the reason is Python's, in English)
    known(r"JSON parse error - (?P<reason>.*)", _("JSON parse error - %(reason)s")),
    # django.core.exceptions.TooManyFieldsSent and TooManyFilesSent
    known(r"The number of GET/POST parameters exceeded settings\.DATA_UPLOAD_MAX_NUMBER_FIELDS\.",
          _("The number of GET/POST parameters exceeded settings.DATA_UPLOAD_MAX_NUMBER_FIELDS.")),
    known(r"The number of files exceeded settings\.DATA_UPLOAD_MAX_NUMBER_FILES\.",
          _("The number of files exceeded settings.DATA_UPLOAD_MAX_NUMBER_FILES.")),
]


def translate(message: str) -> str:
    """`message` in the active language if it is a known English message, else `message` itself."""
    for entry in KNOWN:
        match = entry.pattern.match(message)
        if match is None:
            continue
        values = match.groupdict()
        for name in entry.numbers:
            values[name] = grouped(int(values[name].replace(",", "")))
        text = str(entry.message)
        return text % values if values else text
    return message
