"""One JSON error shape for the API, including errors raised by services.

Services raise Django's ValidationError and PermissionDenied; REST framework only knows its
own exceptions, so they are translated here instead of in every view.
"""

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
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
    return drf_exception_handler(exc, context)
