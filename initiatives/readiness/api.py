from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from initiatives.api.permissions import MachineClientsOnlyReport
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.core import permissions
from initiatives.portfolio import selectors
from initiatives.portfolio.models import Initiative
from initiatives.readiness import serializers, services
from initiatives.readiness.scoring import checklist


class ReadinessViewSet(ThrottleFirstMixin, viewsets.ViewSet):
    """An initiative's readiness checklist; milestones addressed by key."""

    permission_classes = [IsAuthenticated, MachineClientsOnlyReport]
    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def _initiative(self) -> Initiative:
        return selectors.initiative_by_slug(self.kwargs["initiative_slug"])

    def _respond(self, initiative) -> Response:
        return Response(serializers.ReadinessSerializer(checklist(initiative)).data)

    @extend_schema(responses=serializers.ReadinessSerializer)
    def list(self, request, initiative_slug=None):
        """Scores per domain and in total for the next stage, and every milestone."""
        initiative = self._initiative()
        if checklist(initiative) is None:
            raise NotFound("No readiness template is set up.")
        return self._respond(initiative)

    @extend_schema(
        request=serializers.MilestoneUpdateSerializer, responses=serializers.ReadinessSerializer
    )
    def partial_update(self, request, initiative_slug=None, key=None):
        """Set a milestone's status and evidence (the team). `done` needs evidence."""
        initiative = self._initiative()
        user = request.user
        # The team, or governance lifting a waiver (the service decides which applies).
        if not (
            permissions.can_update_milestone(user, initiative)
            or permissions.can_waive_milestone(user)
        ):
            raise PermissionDenied("Only the initiative's team may update its readiness.")
        serializer = serializers.MilestoneUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        # A PATCH changes what it names; the rest stays as recorded.
        record = initiative.milestone_records.filter(milestone__key=key).first()
        current = {
            "status": record.status if record else "not_started",
            "evidence_url": record.evidence_url if record else "",
            "evidence_note": record.evidence_note if record else "",
            "check_mode": record.check_mode if record else "",
        }
        services.milestone_update(
            initiative=initiative,
            actor=request.user,
            key=key,
            **{**current, **serializer.validated_data},
        )
        return self._respond(initiative)

    def _act(self, request, key, *, allowed, refusal, serializer_class, service):
        """The milestone actions: check the rule before reading the body, validate it, call
        the one service, answer with the checklist. `refusal` is the message, or a function
        of (user, initiative, record) giving it."""
        initiative = self._initiative()
        if not allowed(request.user, initiative, key):
            if callable(refusal):
                record = initiative.milestone_records.filter(milestone__key=key).first()
                refusal = refusal(request.user, initiative, record)[1]
            raise PermissionDenied(refusal)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        service(initiative=initiative, actor=request.user, key=key, **serializer.validated_data)
        return self._respond(initiative)

    @staticmethod
    def _may_decide(user, initiative: Initiative, key: str) -> bool:
        """Grant or decline a waiver: governance, never who asked nor the team."""
        if not permissions.can_waive_milestone(user):
            return False  # no need to read the record
        record = initiative.milestone_records.filter(milestone__key=key).first()
        return permissions.can_decide_waiver(user, initiative, record)

    @extend_schema(
        request=serializers.MilestoneWaiveSerializer, responses=serializers.ReadinessSerializer
    )
    @action(detail=True, methods=["post"])
    def waive(self, request, initiative_slug=None, key=None):
        """Waive a milestone for this initiative (governance reviewers), with a justification."""
        return self._act(
            request,
            key,
            allowed=self._may_decide,
            refusal=permissions.decide_waiver_refusal,
            serializer_class=serializers.MilestoneWaiveSerializer,
            service=services.milestone_waive,
        )

    @extend_schema(
        request=serializers.WaiverRequestSerializer, responses=serializers.ReadinessSerializer
    )
    @action(detail=True, methods=["post"], url_path="waiver-request")
    def waiver_request(self, request, initiative_slug=None, key=None):
        """Ask governance to waive a milestone, saying why (the team). The request waits on
        the governance queue."""
        return self._act(
            request,
            key,
            allowed=lambda user, initiative, _: permissions.can_update_milestone(user, initiative),
            refusal="Only the initiative's team may ask for a waiver.",
            serializer_class=serializers.WaiverRequestSerializer,
            service=services.milestone_waiver_request,
        )

    @extend_schema(
        request=serializers.WaiverDeclineSerializer, responses=serializers.ReadinessSerializer
    )
    @action(detail=True, methods=["post"], url_path="decline-waiver")
    def decline_waiver(self, request, initiative_slug=None, key=None):
        """Decline a waiver request, saying why (governance reviewers)."""
        return self._act(
            request,
            key,
            allowed=self._may_decide,
            refusal=permissions.decide_waiver_refusal,
            serializer_class=serializers.WaiverDeclineSerializer,
            service=services.milestone_waiver_decline,
        )
