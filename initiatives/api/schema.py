"""The OpenAPI schema's error responses, written once for every operation.

Every error the API answers is JSON in one of two shapes (see `errors.py`): `Error`, a
`detail` about the request as a whole, or `ValidationError`, a list of messages per field.
The schema class adds to each operation the errors it can answer, each with an example of
the body the API really sends (`ERROR_EXAMPLES`, held to the API by tests/api/test_schema.py),
so a client generated from the schema knows them and the fuzzer in CI holds the API to them.
It also files each operation under its resource (`TAGS`), which is how the docs page
(/api/docs/) groups them.
"""

from django.conf import settings
from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import force_instance
from rest_framework import serializers

MESSAGES = {"type": "array", "items": {"type": "string"}}

# The resources, in the order the docs list them, with what each is about. An operation is
# filed under the first whose path pattern its path contains (`_tag_for`).
TAGS = [
    {
        "name": "Initiatives",
        "description": "Initiatives by slug, their stage changes and "
        "timeline; filters as on the list page.",
    },
    {
        "name": "Business cases",
        "description": "An initiative's business case, version by "
        "version: drafts, submission, review.",
    },
    {
        "name": "Readiness",
        "description": "An initiative's readiness checklist: milestones, evidence, waivers.",
    },
    {
        "name": "Ownership",
        "description": "Production owners: handovers, confirmations and "
        "requests to promote to production.",
    },
    {"name": "Health", "description": "Health reports pushed by monitoring, and their history."},
    {
        "name": "Evidence",
        "description": "An initiative's evidence pack for auditors, with its fingerprint.",
    },
    {
        "name": "Regulation",
        "description": "EU AI Act classification: the questionnaire, an initiative's "
        "versions, confirmation by governance.",
    },
    {"name": "Flags", "description": "What the watch found: stalled, ownerless, failing..."},
    {"name": "E-mails", "description": "Every e-mail the portal recorded, and sending one again."},
    {"name": "Portfolio", "description": "The portfolio's figures, as on the dashboard."},
    {"name": "API", "description": "The list of resources."},
]
_TAG_BY_PATH = [
    ("/business-cases/", "Business cases"),
    ("/readiness/", "Readiness"),
    ("/health/", "Health"),
    ("/evidence-pack/", "Evidence"),
    ("/classification/", "Regulation"),
    ("/api/v1/regulation/", "Regulation"),
    ("/handover", "Ownership"),
    ("/confirm-ownership/", "Ownership"),
    ("/promotion-request", "Ownership"),
    ("/api/v1/flags/", "Flags"),
    ("/api/v1/emails/", "E-mails"),
    ("/api/v1/portfolio/", "Portfolio"),
    ("/api/v1/initiatives/", "Initiatives"),
]


def _tag_for(path: str) -> str:
    for pattern, tag in _TAG_BY_PATH:
        if pattern in path:
            return tag
    return "API"


# What the API really answers for each error (DRF's messages, `errors.py`'s and the services'
# shapes), so the docs show a body a client will meet, not a generated "additionalProp1".
ERROR_EXAMPLES = {
    "401": {"detail": "Authentication credentials were not provided."},
    "403": {"detail": "You do not have permission to perform this action."},
    "404": {"detail": "Not found."},
    "405": {"detail": 'Method "DELETE" not allowed.'},
    "409": {
        "detail": "Ana Ruiz saved this draft at 14:05 after you opened it. Your changes were "
        "not saved: reload the draft to see theirs, then make yours again."
    },
    "415": {"detail": 'Unsupported media type "text/plain" in request.'},
    "429": {"detail": "Request was throttled. Expected available in 42 seconds."},
}
SHARED_ERRORS = {"Error", "ValidationError"}
REQUIRED = "This field is required."
BAD_CHOICE = "Select a valid choice. That choice is not one of the available choices."


def error_example(code: str, *, field: str = "", parameter: str = "") -> dict:
    """The body the API answers with `code`: for a 400, naming `field` (of the body) or
    `parameter` (of the query), else the input as a whole."""
    if code == "400":
        if field:
            return {field: [REQUIRED]}
        if parameter:
            return {parameter: [BAD_CHOICE]}
        return {"non_field_errors": ["The input as a whole is refused, and why."]}
    if code == "413":
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return {"detail": f"The request body is larger than the {limit:,} bytes allowed."}
    return ERROR_EXAMPLES.get(code, {"detail": "What is wrong with the request."})


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
    """drf-spectacular's schema, with each operation's error responses added (with real
    examples) and the operation filed under its resource."""

    def get_tags(self) -> list[str]:
        return [_tag_for(self.path)]

    def _example_400(self) -> dict:
        serializer = None
        if self.method in ("POST", "PUT", "PATCH"):
            serializer = force_instance(self.get_request_serializer())
        fields = serializer.fields if isinstance(serializer, serializers.Serializer) else {}
        required = [name for name, f in fields.items() if f.required and not f.read_only]
        if required:
            return error_example("400", field=required[0])
        query = [p["name"] for p in self._get_parameters() if p["in"] == "query"]
        if self.method == "GET" and query:
            return error_example("400", parameter=query[0])
        return error_example("400")

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
        for code, response in responses.items():
            if not code.isdigit() or int(code) < 400:
                continue
            example = self._example_400() if code == "400" else error_example(code)
            for media in response.get("content", {}).values():
                # Only the two shared shapes; an endpoint with an error body of its own (the
                # health push) documents its own examples.
                if media.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1] in SHARED_ERRORS:
                    media.setdefault("example", example)
        return dict(sorted(responses.items()))


def add_tags(result, generator, request, public):
    """drf-spectacular post-processing hook: the resources' order and descriptions (`TAGS`)
    at the top of the schema, so the docs list the groups in that order."""
    used = {
        tag
        for item in result["paths"].values()
        for op in item.values()
        for tag in op.get("tags", ())
    }
    result["tags"] = [tag for tag in TAGS if tag["name"] in used]
    return result
