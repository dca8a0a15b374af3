"""One JSON error format for the API, including errors raised by services.

Every error is a JSON object in one of two shapes (`schema.py` documents both):
- `{"detail": "..."}` about the request as a whole: 401, 403, 404, 405, 409, 413, 415, 429,
  500;
- `{"<field>": ["...", ...], "non_field_errors": [...]}` for bad input (400), each field
  with all of its messages.

Services raise Django's ValidationError and PermissionDenied; REST framework only knows its
own exceptions, so they are translated here instead of in every view. Addresses under /api/
that match no view, and server errors there, answer JSON too (`not_found`, `server_error`,
installed as Django's handler404 and handler500).
"""

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.views import defaults
from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            exc = exceptions.ValidationError(
                {
                    ("non_field_errors" if field == NON_FIELD_ERRORS else field): [
                        message for error in errors for message in error.messages
                    ]
                    for field, errors in exc.error_dict.items()
                }
            )
        else:
            exc = exceptions.ValidationError({"non_field_errors": exc.messages})
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    elif isinstance(exc, Http404):
        # get_object_or_404 says "No OwnershipHandover matches the given query.": the
        # model's class name is ours, not the client's business.
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def not_found(request, exception):
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request):
    if _is_api(request):
        return JsonResponse({"detail": "Server error: it has been logged."}, status=500)
    return defaults.server_error(request)


def bad_request(request, exception):
    """Django's own 400s: a body over DATA_UPLOAD_MAX_MEMORY_SIZE (413 in the API, as the
    health push answers), or a request Django finds suspicious."""
    too_big = isinstance(exception, RequestDataTooBig)
    if _is_api(request):
        if too_big:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
            return JsonResponse(
                {"detail": f"The request body is larger than the {limit:,} bytes allowed."},
                status=413,
            )
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)
