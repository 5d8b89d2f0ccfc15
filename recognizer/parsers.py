from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser, except that nesting too deep for Python's decoder is a 400, not a 500.

    `[[[[...]]]]` a thousand levels deep is a few kilobytes, well inside the body limit, and makes
    `json.load` raise RecursionError, which DRF does not catch.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("JSON parse error - nested too deeply") from None
