"""Request body parsing."""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class SafeJSONParser(JSONParser):
    """REST framework's JSON parser, with a body nested too deeply for Python's decoder
    (`[[[[...]]]]` a few thousand levels: a few kilobytes) refused as a parse error (400)
    instead of escaping as a RecursionError (500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("JSON parse error - the body is nested too deeply.") from error
