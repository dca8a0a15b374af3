import django_filters

from initiatives.core.choices import (
    EmailKind,
    EmailStatus,
)
from initiatives.outbox.models import EmailRecord


class EmailRecordFilterSet(django_filters.FilterSet):
    """`?status=failed`: the e-mails governance may send again."""

    initiative = django_filters.CharFilter(field_name="initiative__slug")
    kind = django_filters.MultipleChoiceFilter(choices=EmailKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=EmailStatus.choices)

    class Meta:
        model = EmailRecord
        fields = ["initiative", "kind", "status"]
