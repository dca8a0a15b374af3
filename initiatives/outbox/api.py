from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from initiatives.api.permissions import RULES, ActionRule, MachineClientsOnlyReport, SeesEmailLog
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.outbox import serializers, services
from initiatives.outbox.filtersets import EmailRecordFilterSet
from initiatives.outbox.models import EmailRecord


class EmailViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """The e-mail outbox, newest first, for governance; `?status=failed` for what to send
    again. A failed e-mail is sent again with `send-again`."""

    lookup_value_regex = r"\d+"
    serializer_class = serializers.EmailSerializer
    queryset = EmailRecord.objects.select_related("initiative", "resent_by").order_by(
        "-created_at", "-pk"
    )
    filterset_class = EmailRecordFilterSet
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, SeesEmailLog, ActionRule]
    object_rules = {"send_again": RULES["send_email_again"]}

    @extend_schema(request=None, responses=serializers.EmailSerializer)
    @action(detail=True, methods=["post"], url_path="send-again")
    def send_again(self, request, pk=None):
        email = services.email_send_again(email=self.get_object(), actor=request.user)
        return Response(serializers.EmailSerializer(email).data)
