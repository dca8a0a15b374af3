from rest_framework import viewsets

from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.watch import serializers
from initiatives.watch.filtersets import FlagFilterSet
from initiatives.watch.models import Flag


class FlagViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """Flags raised by the portfolio scan; `?open=true` for the open ones."""

    lookup_value_regex = r"\d+"
    serializer_class = serializers.FlagSerializer
    queryset = Flag.objects.select_related("initiative")
    filterset_class = FlagFilterSet
    ordering_fields = ["opened_at", "resolved_at", "kind"]
