import django_filters
from django.db.models import Q

from initiatives.core.choices import (
    EmailKind,
    EmailStatus,
)
from initiatives.outbox.models import EmailRecord


class EmailRecordFilterSet(django_filters.FilterSet):
    """The e-mail log's filters, on the page and the API: `?status=failed` (the e-mails
    governance may send again), `?kind=`, `?initiative=<slug>`, and `?recipient=` (a person:
    every word matches their address, username, first or last name)."""

    initiative = django_filters.CharFilter(field_name="initiative__slug")
    kind = django_filters.MultipleChoiceFilter(choices=EmailKind.choices)
    status = django_filters.MultipleChoiceFilter(choices=EmailStatus.choices)
    recipient = django_filters.CharFilter(method="filter_recipient", max_length=100)

    class Meta:
        model = EmailRecord
        fields = ["initiative", "kind", "status", "recipient"]

    def filter_recipient(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(
                Q(recipient__icontains=word)
                | Q(recipient_user__username__icontains=word)
                | Q(recipient_user__first_name__icontains=word)
                | Q(recipient_user__last_name__icontains=word)
            )
        return queryset
