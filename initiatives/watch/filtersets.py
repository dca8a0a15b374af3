import django_filters

from initiatives.core.choices import (
    FlagKind,
)
from initiatives.portfolio.filtersets import YesNoFilter
from initiatives.watch.models import Flag


class FlagFilterSet(django_filters.FilterSet):
    initiative = django_filters.CharFilter(field_name="initiative__slug")
    kind = django_filters.MultipleChoiceFilter(choices=FlagKind.choices)
    open = YesNoFilter(field_name="resolved_at", lookup_expr="isnull")

    class Meta:
        model = Flag
        fields = ["initiative", "kind", "open"]
