"""API views: each validates with a serializer and calls one service."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle

from .. import health, permissions, selectors, services
from ..events import render_events
from ..filtersets import (
    EmailRecordFilterSet,
    FlagFilterSet,
    HandoverFilterSet,
    InitiativeFilterSet,
    PromotionRequestFilterSet,
)
from ..models import (
    BusinessCase,
    EmailRecord,
    Flag,
    Initiative,
    OwnershipHandover,
    PromotionRequest,
)
from ..readiness import checklist
from . import serializers as s
from .parsers import SafeJSONParser
from .permissions import RULES, ActionRule, MachineClientsOnlyReport, SeesEmailLog
from .schema import ErrorSerializer
from .throttling import HealthPushThrottle, ThrottleFirstMixin


class InitiativeViewSet(
    ThrottleFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Initiatives, addressed by slug. Every signed-in user reads; the team writes."""

    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"  # what a slug may hold; anything else is a 404
    filterset_class = InitiativeFilterSet
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, ActionRule]
    object_rules = {
        "update": RULES["edit"],
        "partial_update": RULES["edit"],
        "transition": RULES["change_stage"],
        "handover": RULES["name_owner"],
        "confirm_ownership": RULES["confirm"],
        "promotion_request": RULES["request_promotion"],
    }
    # Filters and ordering exactly as on the list page: the shared filterset does both.
    filter_backends = [DjangoFilterBackend]

    def get_queryset(self):
        if self.action == "list":
            return selectors.initiative_api_list()
        if self.action == "retrieve":
            return selectors.initiative_list().prefetch_related("team_members")
        return selectors.initiative_list()

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return s.InitiativeWriteSerializer
        if self.action == "retrieve":
            return s.InitiativeDetailSerializer
        return s.InitiativeSerializer

    def _represent(self, initiative: Initiative, status_code: int) -> Response:
        initiative = (
            selectors.initiative_list().prefetch_related("team_members").get(pk=initiative.pk)
        )
        data = s.InitiativeDetailSerializer(initiative, context=self.get_serializer_context()).data
        return Response(data, status=status_code)

    @extend_schema(request=s.InitiativeWriteSerializer, responses=s.InitiativeDetailSerializer)
    def create(self, request, *args, **kwargs):
        serializer = s.InitiativeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        initiative = services.initiative_create(actor=request.user, **serializer.validated_data)
        return self._represent(initiative, status.HTTP_201_CREATED)

    @extend_schema(request=s.InitiativeWriteSerializer, responses=s.InitiativeDetailSerializer)
    def update(self, request, *args, **kwargs):
        initiative = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = s.InitiativeWriteSerializer(initiative, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team_members = data.pop("team_members", None)
        services.initiative_update(
            initiative=initiative, actor=request.user, data=data, team_members=team_members
        )
        return self._represent(initiative, status.HTTP_200_OK)

    @extend_schema(request=s.InitiativeWriteSerializer, responses=s.InitiativeDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(request=s.TransitionRequestSerializer, responses={201: s.TransitionSerializer})
    @action(detail=True, methods=["post"])
    def transition(self, request, slug=None):
        """Move the initiative to another stage; refused with every unmet condition."""
        initiative = self.get_object()
        serializer = s.TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            transition = services.initiative_transition(
                initiative=initiative, actor=request.user, **serializer.validated_data
            )
        except services.TransitionRefused as refused:
            return Response({"to_stage": refused.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(s.TransitionSerializer(transition).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.TransitionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])  # the list filters are not these
    def transitions(self, request, slug=None):
        initiative = self.get_object()
        queryset = initiative.transitions.select_related("actor")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(s.TransitionSerializer(page, many=True).data)

    @extend_schema(request=s.HandoverRequestSerializer, responses={201: s.HandoverSerializer})
    @action(detail=True, methods=["post"])
    def handover(self, request, slug=None):
        """Name a production owner; they must accept before the ownership counts."""
        initiative = self.get_object()
        serializer = s.HandoverRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.handover_start(
            initiative=initiative, actor=request.user, **serializer.validated_data
        )
        return Response(s.HandoverSerializer(handover).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: s.OwnershipConfirmedSerializer})
    @action(detail=True, methods=["post"], url_path="confirm-ownership")
    def confirm_ownership(self, request, slug=None):
        """The production owner confirms they still own the system."""
        initiative = self.get_object()
        confirmation = services.ownership_confirm(
            initiative=initiative, actor=request.user, channel="api"
        )
        return Response({"confirmed_at": confirmation.confirmed_at}, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.PromotionRequestSerializer, responses={201: s.PromotionSerializer})
    @action(detail=True, methods=["post"], url_path="promotion-request")
    def promotion_request(self, request, slug=None):
        """Ask governance to approve promotion to production."""
        initiative = self.get_object()
        serializer = s.PromotionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promotion = services.promotion_request(
            initiative=initiative, actor=request.user, **serializer.validated_data
        )
        return Response(s.PromotionSerializer(promotion).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=s.EventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def events(self, request, slug=None):
        """The readable timeline, newest first."""
        initiative = self.get_object()
        page = render_events(self.paginate_queryset(initiative.events.select_related("actor")))
        return self.get_paginated_response(s.EventSerializer(page, many=True).data)


class HandoverViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """Every ownership handover; the named owner accepts or declines here."""

    lookup_value_regex = r"\d+"
    serializer_class = s.HandoverSerializer
    queryset = OwnershipHandover.objects.select_related(
        "initiative", "from_owner", "to_owner", "requested_by", "owning_team"
    )
    filterset_class = HandoverFilterSet
    ordering_fields = ["requested_at", "decided_at", "status"]
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, ActionRule]
    object_rules = {"accept": RULES["answer_handover"], "decline": RULES["answer_handover"]}

    @extend_schema(request=s.HandoverAcceptSerializer, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        handover = self.get_object()
        serializer = s.HandoverAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.handover_accept(
            handover=handover, actor=request.user, **serializer.validated_data
        )
        return Response(s.HandoverSerializer(handover).data)

    @extend_schema(request=s.HandoverDeclineSerializer, responses=s.HandoverSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        handover = self.get_object()
        serializer = s.HandoverDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.handover_decline(
            handover=handover, actor=request.user, **serializer.validated_data
        )
        return Response(s.HandoverSerializer(handover).data)


class PromotionRequestViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """Requests to promote an initiative to production; governance reviews them here."""

    lookup_value_regex = r"\d+"
    serializer_class = s.PromotionSerializer
    queryset = PromotionRequest.objects.select_related("initiative", "requested_by", "reviewed_by")
    filterset_class = PromotionRequestFilterSet
    ordering_fields = ["requested_at", "reviewed_at", "status"]
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, ActionRule]
    object_rules = {"review": RULES["review_promotion"]}

    @extend_schema(request=s.PromotionReviewSerializer, responses=s.PromotionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        promotion = self.get_object()
        serializer = s.PromotionReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promotion = services.promotion_review(
            promotion=promotion,
            actor=request.user,
            approve=serializer.validated_data["decision"] == "approve",
            comment=serializer.validated_data["comment"],
        )
        return Response(s.PromotionSerializer(promotion).data)


class FlagViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """Flags raised by the portfolio scan; `?open=true` for the open ones."""

    lookup_value_regex = r"\d+"
    serializer_class = s.FlagSerializer
    queryset = Flag.objects.select_related("initiative")
    filterset_class = FlagFilterSet
    ordering_fields = ["opened_at", "resolved_at", "kind"]


class EmailViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """The e-mail outbox, newest first, for governance; `?status=failed` for what to send
    again. A failed e-mail is sent again with `send-again`."""

    lookup_value_regex = r"\d+"
    serializer_class = s.EmailSerializer
    queryset = EmailRecord.objects.select_related("initiative", "resent_by").order_by(
        "-created_at", "-pk"
    )
    filterset_class = EmailRecordFilterSet
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, SeesEmailLog, ActionRule]
    object_rules = {"send_again": RULES["send_email_again"]}

    @extend_schema(request=None, responses=s.EmailSerializer)
    @action(detail=True, methods=["post"], url_path="send-again")
    def send_again(self, request, pk=None):
        email = services.email_send_again(email=self.get_object(), actor=request.user)
        return Response(s.EmailSerializer(email).data)


class BusinessCaseViewSet(
    ThrottleFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """An initiative's business-case versions, addressed by version number."""

    serializer_class = s.BusinessCaseSerializer
    ordering_fields = ["version", "created_at", "submitted_at"]
    lookup_field = "version"
    lookup_value_regex = r"\d+"
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, ActionRule]
    object_rules = {
        "update": lambda user, case: RULES["edit"](user, case.initiative),
        "partial_update": lambda user, case: RULES["edit"](user, case.initiative),
        "submit": lambda user, case: RULES["edit"](user, case.initiative),
        "review": RULES["review_case"],
    }

    def initiative(self) -> Initiative:
        if not hasattr(self, "_initiative"):
            self._initiative = get_object_or_404(
                Initiative.objects.all(), slug=self.kwargs["initiative_slug"]
            )
        return self._initiative

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return BusinessCase.objects.none()
        return selectors.business_cases().filter(initiative=self.initiative())

    def _respond(self, case, status_code=status.HTTP_200_OK) -> Response:
        case = self.get_queryset().get(pk=case.pk)
        return Response(s.BusinessCaseSerializer(case).data, status=status_code)

    @extend_schema(
        request=s.BusinessCaseWriteSerializer,
        responses={201: s.BusinessCaseSerializer, 409: ErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Start the next version as a draft (inputs not given are copied from the latest).

        Posting again with the same `form_key` and the same inputs answers the version the
        first post made; the same `form_key` with other inputs gets 409 and saves nothing.
        """
        initiative = self.initiative()
        if not RULES["edit"](request.user, initiative):
            raise PermissionDenied("Only the initiative's team may write its business case.")
        serializer = s.BusinessCaseWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("revision", None)
        form_key = data.pop("form_key", "")
        try:
            case = services.business_case_create(
                initiative=initiative, actor=request.user, data=data, form_key=form_key
            )
        except services.FormKeyReused as reused:
            return Response({"detail": reused.messages[0]}, status=status.HTTP_409_CONFLICT)
        return self._respond(case, status.HTTP_201_CREATED)

    @extend_schema(
        request=s.BusinessCaseWriteSerializer,
        responses={200: s.BusinessCaseSerializer, 409: ErrorSerializer},
    )
    def update(self, request, *args, **kwargs):
        """Change a draft. Send the `revision` you read: a stale one gets 409."""
        case = self.get_object()
        serializer = s.BusinessCaseWriteSerializer(
            case, data=request.data, partial=kwargs.get("partial", False)
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        revision = data.pop("revision", None)
        data.pop("form_key", None)
        if revision is None:
            raise ValidationError({"revision": ["Send the revision of the draft you last read."]})
        try:
            case = services.business_case_update(
                case=case, actor=request.user, data=data, revision=revision
            )
        except services.CaseEditConflict as conflict:
            return Response({"detail": conflict.messages[0]}, status=status.HTTP_409_CONFLICT)
        return self._respond(case)

    @extend_schema(
        request=s.BusinessCaseWriteSerializer,
        responses={200: s.BusinessCaseSerializer, 409: ErrorSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change some fields of a draft. Send the `revision` you read: a stale one gets 409."""
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=None, responses=s.BusinessCaseSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, initiative_slug=None, version=None):
        """Submit a draft for review."""
        case = services.business_case_submit(case=self.get_object(), actor=request.user)
        return self._respond(case)

    @extend_schema(request=s.BusinessCaseReviewSerializer, responses=s.BusinessCaseSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, initiative_slug=None, version=None):
        """Approve, reject or ask for changes (governance; never your own submission)."""
        case = self.get_object()
        serializer = s.BusinessCaseReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.business_case_review(
            case=case, actor=request.user, **serializer.validated_data
        )
        return self._respond(case)


class ReadinessViewSet(ThrottleFirstMixin, viewsets.ViewSet):
    """An initiative's readiness checklist; milestones addressed by key."""

    permission_classes = [IsAuthenticated, MachineClientsOnlyReport]
    lookup_field = "key"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"

    def _initiative(self) -> Initiative:
        return get_object_or_404(selectors.initiative_list(), slug=self.kwargs["initiative_slug"])

    def _respond(self, initiative) -> Response:
        return Response(s.ReadinessSerializer(checklist(initiative)).data)

    @extend_schema(responses=s.ReadinessSerializer)
    def list(self, request, initiative_slug=None):
        """Scores per domain and in total for the next stage, and every milestone."""
        initiative = self._initiative()
        if checklist(initiative) is None:
            raise NotFound("No readiness template is set up.")
        return self._respond(initiative)

    @extend_schema(request=s.MilestoneUpdateSerializer, responses=s.ReadinessSerializer)
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
        serializer = s.MilestoneUpdateSerializer(data=request.data, partial=True)
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

    @extend_schema(request=s.MilestoneWaiveSerializer, responses=s.ReadinessSerializer)
    @action(detail=True, methods=["post"])
    def waive(self, request, initiative_slug=None, key=None):
        """Waive a milestone for this initiative (governance reviewers), with a justification."""
        return self._act(
            request,
            key,
            allowed=self._may_decide,
            refusal=permissions.decide_waiver_refusal,
            serializer_class=s.MilestoneWaiveSerializer,
            service=services.milestone_waive,
        )

    @extend_schema(request=s.WaiverRequestSerializer, responses=s.ReadinessSerializer)
    @action(detail=True, methods=["post"], url_path="waiver-request")
    def waiver_request(self, request, initiative_slug=None, key=None):
        """Ask governance to waive a milestone, saying why (the team). The request waits on
        the governance queue."""
        return self._act(
            request,
            key,
            allowed=lambda user, initiative, _: permissions.can_update_milestone(user, initiative),
            refusal="Only the initiative's team may ask for a waiver.",
            serializer_class=s.WaiverRequestSerializer,
            service=services.milestone_waiver_request,
        )

    @extend_schema(request=s.WaiverDeclineSerializer, responses=s.ReadinessSerializer)
    @action(detail=True, methods=["post"], url_path="decline-waiver")
    def decline_waiver(self, request, initiative_slug=None, key=None):
        """Decline a waiver request, saying why (governance reviewers)."""
        return self._act(
            request,
            key,
            allowed=self._may_decide,
            refusal=permissions.decide_waiver_refusal,
            serializer_class=s.WaiverDeclineSerializer,
            service=services.milestone_waiver_decline,
        )


class HealthViewSet(ThrottleFirstMixin, viewsets.ViewSet):
    """An initiative's operational health; production systems push reports here."""

    permission_classes = [IsAuthenticated, MachineClientsOnlyReport]
    parser_classes = [SafeJSONParser]  # a form-encoded body would turn numbers into strings
    machine_client_actions = frozenset({"reports"})

    def _initiative(self) -> Initiative:
        return get_object_or_404(Initiative.objects.all(), slug=self.kwargs["initiative_slug"])

    @extend_schema(
        parameters=[OpenApiParameter("days", int, description="Days of series (1-365, 90).")],
        responses=s.HealthSerializer,
    )
    def list(self, request, initiative_slug=None):
        """Status, the reasons for it, the latest metrics and daily series."""
        initiative = self._initiative()
        try:
            days = int(request.query_params.get("days", 90))
        except ValueError:
            days = 0
        if not 1 <= days <= 365:
            raise ValidationError({"days": ["A whole number of days from 1 to 365."]})
        state = health.health_of(initiative)
        data = {
            "status": state.status,
            "reasons": state.reasons,
            "latest_at": state.latest_at,
            "latest": state.latest,
            "eval_regression": state.eval_regression,
            "eval_baseline": state.eval_baseline,
            "eval_allowed_drop": state.eval_allowed_drop,
            "thresholds": health.thresholds_for(initiative),
            "series": [
                {**row, "day": row["day"].isoformat()} for row in health.series(initiative, days)
            ],
        }
        return Response(s.HealthSerializer(data).data)

    @extend_schema(
        request=s.HealthReportSerializer(many=True),
        responses={
            201: s.HealthPushResultSerializer,
            400: s.HealthPushErrorSerializer,
            413: ErrorSerializer,
        },
        description="One report (an object) or a batch (a list). The whole batch is refused "
        "if any report is bad, with each bad one identified by its index. A report whose "
        "observed_at is already stored is a duplicate and is not stored again.",
    )
    @action(
        detail=False,
        methods=["post"],
        throttle_classes=[AnonRateThrottle, HealthPushThrottle],
    )
    def reports(self, request, initiative_slug=None):
        initiative = self._initiative()
        if not permissions.can_report_health(request.user, initiative):
            raise PermissionDenied("This client may not report health for this initiative.")
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        if size > settings.PORTAL_HEALTH_MAX_BYTES:
            return Response(
                {
                    "detail": f"The payload is {size} bytes; at most "
                    f"{settings.PORTAL_HEALTH_MAX_BYTES} are taken. Send smaller batches."
                },
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        payload = request.data
        items = payload if isinstance(payload, list) else [payload]
        if not items:
            raise ValidationError({"detail": "Send a report or a non-empty list of reports."})
        if len(items) > settings.PORTAL_HEALTH_MAX_BATCH:
            raise ValidationError(
                {"detail": f"At most {settings.PORTAL_HEALTH_MAX_BATCH} reports per request."}
            )
        # One list serializer validates the batch (a serializer per item would rebuild its
        # fields 500 times); its errors line up with the items' indexes.
        batch = s.HealthReportSerializer(data=items, many=True)
        valid = batch.is_valid()
        found = {} if valid else batch.errors  # {index: errors} (or a list, in older DRF)
        pairs = found.items() if isinstance(found, dict) else enumerate(found)
        errors = sorted(
            # A report that is not an object (null, a number) has errors about it as a
            # whole; they go under non_field_errors, so each item's errors are field-keyed.
            (
                {"index": int(i), "errors": e if isinstance(e, dict) else {"non_field_errors": e}}
                for i, e in pairs
                if e
            ),
            key=lambda x: x["index"],
        )
        reports, seen = [], {}
        for index, data in enumerate(batch.validated_data if valid else []):
            moment = data["observed_at"]
            if moment in seen:
                errors.append(
                    {
                        "index": index,
                        "errors": {"observed_at": [f"Same moment as report {seen[moment]}."]},
                    }
                )
            seen.setdefault(moment, index)
            reports.append(data)
        if errors:
            return Response(
                {"detail": "Nothing was stored: some reports are invalid.", "reports": errors},
                status=status.HTTP_400_BAD_REQUEST,
            )
        result = services.health_reports_ingest(
            initiative=initiative, actor=request.user, reports=reports
        )
        return Response(
            {"received": result.received, "stored": result.stored, "duplicates": result.duplicates},
            status=status.HTTP_201_CREATED,
        )
