import django_filters

from initiatives.core.choices import (
    HandoverStatus,
    PromotionStatus,
)
from initiatives.ownership.models import OwnershipHandover, PromotionRequest


class HandoverFilterSet(django_filters.FilterSet):
    """`?to_owner=me&status=pending`: the handovers waiting for one person, or one system's."""

    initiative = django_filters.CharFilter(field_name="initiative__slug")
    to_owner = django_filters.CharFilter(field_name="to_owner__username", label="New owner")
    status = django_filters.MultipleChoiceFilter(choices=HandoverStatus.choices)

    class Meta:
        model = OwnershipHandover
        fields = ["initiative", "to_owner", "status"]


class PromotionRequestFilterSet(django_filters.FilterSet):
    initiative = django_filters.CharFilter(field_name="initiative__slug")
    status = django_filters.MultipleChoiceFilter(choices=PromotionStatus.choices)

    class Meta:
        model = PromotionRequest
        fields = ["initiative", "status"]
