"""The OpenAPI schema's error responses, written once for every operation.

Every error the API answers is JSON in one of two shapes (see `errors.py`): `Error`, a
`detail` about the request as a whole, or `ValidationError`, a list of messages per field.
The schema class adds to each operation the errors it can answer, so a client generated
from the schema knows them and the fuzzer in CI holds the API to them.
"""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from rest_framework import serializers

MESSAGES = {"type": "array", "items": {"type": "string"}}


class ErrorSerializer(serializers.Serializer):
    """An error about the request as a whole: 401, 403, 404, 405, 409, 413, 415, 429."""

    detail = serializers.CharField()

    class Meta:
        ref_name = "Error"


class ValidationErrorSerializer(serializers.Serializer):
    """400: each bad field with its messages; `non_field_errors` for the input as a whole."""

    class Meta:
        ref_name = "ValidationError"


class ValidationErrorExtension(OpenApiSerializerExtension):
    target_class = ValidationErrorSerializer

    def map_serializer(self, auto_schema, direction):
        # A nested field reports an object of the same shape, or a list of them by index.
        nested = {"type": "object", "additionalProperties": True}
        return {
            "type": "object",
            "description": "Each key is an input field (or query parameter) and names what is "
            "wrong with it; `non_field_errors` is about the input as a whole. A body that is "
            "not JSON gets a `detail` instead.",
            "properties": {"non_field_errors": MESSAGES, "detail": {"type": "string"}},
            "additionalProperties": {
                "oneOf": [
                    {"type": "array", "items": {"oneOf": [{"type": "string"}, nested]}},
                    nested,
                ]
            },
        }


class TokenScheme(KnoxTokenScheme):
    """Our knox subclass (it records last use) authenticates exactly as knox's does."""

    target_class = "initiatives.api.authentication.TokenAuthentication"


class CrossingAutoSchema(AutoSchema):
    """drf-spectacular's schema, with each operation's error responses added."""

    def _error_codes(self) -> dict[str, type[serializers.Serializer]]:
        writes = self.method in ("POST", "PUT", "PATCH")
        has_body = writes and bool(self.get_request_serializer())
        has_path_params = "{" in self.path
        is_list = self.method == "GET" and self._is_list_view()
        # Every query parameter the API reads is checked, and one it cannot read is a 400
        # naming it (`?business_unit=<unknown>` on the portfolio, `?days=x` on health).
        has_query = any(p["in"] == "query" for p in self._get_parameters())
        codes: dict[str, type[serializers.Serializer]] = {}
        # Bad input, or a write a service refuses (a gate, a state that does not allow it).
        if writes or is_list or has_query or (self.get_filter_backends() and self.method == "GET"):
            codes["400"] = ValidationErrorSerializer
        codes["401"] = ErrorSerializer
        codes["403"] = ErrorSerializer
        if has_path_params or is_list:  # a missing object, or a page past the end
            codes["404"] = ErrorSerializer
        if writes and has_path_params:  # the object's state does not allow it (or a stale save)
            codes["409"] = ErrorSerializer
        if has_body:
            codes["413"] = ErrorSerializer
            codes["415"] = ErrorSerializer
        codes["429"] = ErrorSerializer
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code, serializer in self._error_codes().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(serializer, code)
        return dict(sorted(responses.items()))
