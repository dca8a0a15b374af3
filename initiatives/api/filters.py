"""Filter backends for the API lists."""

from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter


class StrictOrderingFilter(OrderingFilter):
    """REST framework's ordering, with an unknown field refused by name (400) instead of
    silently ignored, as the initiative list (the shared filter set) already does."""

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        unknown = [f for f in fields if f and f not in valid]
        if unknown:
            names = sorted(
                name for name, _ in self.get_valid_fields(queryset, view, {"request": request})
            )
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Unknown ordering: {', '.join(unknown)}. Order by "
                        f"{', '.join(names)} (prefix - to reverse)."
                    ]
                }
            )
        return valid
