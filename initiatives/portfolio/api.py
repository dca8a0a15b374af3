"""API views: each validates with a serializer and calls one service."""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from initiatives.api.pagination import ListPagination
from initiatives.api.permissions import RULES, ActionRule, MachineClientsOnlyReport
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.core.events import render_events
from initiatives.ownership import serializers as ownership_serializers
from initiatives.ownership import services as ownership_services
from initiatives.portfolio import selectors, serializers, services
from initiatives.portfolio.filtersets import InitiativeFilterSet
from initiatives.portfolio.models import Initiative


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
    # Numbered pages reading only their rows, or cursor pages for reading the whole
    # inventory (`?cursor=`); README "API".
    pagination_class = ListPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.initiative_api_list()
        if self.action == "retrieve":
            return selectors.initiative_list().prefetch_related("team_members")
        return selectors.initiative_list()

    def get_serializer_class(self):
        if self.action in ("create", "update", "partial_update"):
            return serializers.InitiativeWriteSerializer
        if self.action == "retrieve":
            return serializers.InitiativeDetailSerializer
        return serializers.InitiativeSerializer

    def _represent(self, initiative: Initiative, status_code: int) -> Response:
        initiative = (
            selectors.initiative_list().prefetch_related("team_members").get(pk=initiative.pk)
        )
        data = serializers.InitiativeDetailSerializer(
            initiative, context=self.get_serializer_context()
        ).data
        return Response(data, status=status_code)

    @extend_schema(
        request=serializers.InitiativeWriteSerializer,
        responses=serializers.InitiativeDetailSerializer,
    )
    def create(self, request, *args, **kwargs):
        serializer = serializers.InitiativeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        initiative = services.initiative_create(actor=request.user, **serializer.validated_data)
        return self._represent(initiative, status.HTTP_201_CREATED)

    @extend_schema(
        request=serializers.InitiativeWriteSerializer,
        responses=serializers.InitiativeDetailSerializer,
    )
    def update(self, request, *args, **kwargs):
        initiative = self.get_object()
        partial = kwargs.get("partial", False)
        serializer = serializers.InitiativeWriteSerializer(
            initiative, data=request.data, partial=partial
        )
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        team_members = data.pop("team_members", None)
        services.initiative_update(
            initiative=initiative, actor=request.user, data=data, team_members=team_members
        )
        return self._represent(initiative, status.HTTP_200_OK)

    @extend_schema(
        request=serializers.InitiativeWriteSerializer,
        responses=serializers.InitiativeDetailSerializer,
    )
    def partial_update(self, request, *args, **kwargs):
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(
        request=serializers.TransitionRequestSerializer,
        responses={
            201: serializers.TransitionSerializer,
            400: OpenApiResponse(
                serializers.TransitionRefusedSerializer,
                examples=[
                    OpenApiExample(
                        "A refused move to pilot",
                        value={
                            "to_stage": ["No production owner is named."],
                            "unmet_conditions": [
                                {
                                    "domain": "Ownership",
                                    "group": "",
                                    "title": "Name a production owner",
                                    "message": "No production owner is named.",
                                    "fix_url": "https://crossing.example.com/initiatives/claims-triage/handover/",
                                }
                            ],
                        },
                        response_only=True,
                    )
                ],
            ),
        },
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, slug=None):
        """Move the initiative to another stage; refused with every unmet condition, each
        once: as sentences under `to_stage`, and with its domain and the page where it is
        met under `unmet_conditions`."""
        initiative = self.get_object()
        serializer = serializers.TransitionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            transition = services.initiative_transition(
                initiative=initiative, actor=request.user, **serializer.validated_data
            )
        except services.TransitionRefused as refused:
            conditions = [
                {
                    "domain": condition.domain,
                    "group": condition.group,
                    "title": condition.title,
                    "message": condition.message,
                    "fix_url": request.build_absolute_uri(condition.fix_url)
                    if condition.fix_url
                    else "",
                }
                for condition in refused.unmet
            ]
            return Response(
                {
                    "to_stage": refused.messages,
                    "unmet_conditions": serializers.UnmetConditionSerializer(
                        conditions, many=True
                    ).data,
                },
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(
            serializers.TransitionSerializer(transition).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(responses=serializers.TransitionSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])  # the list filters are not these
    def transitions(self, request, slug=None):
        initiative = self.get_object()
        queryset = initiative.transitions.select_related("actor")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(serializers.TransitionSerializer(page, many=True).data)

    @extend_schema(
        request=ownership_serializers.HandoverRequestSerializer,
        responses={201: ownership_serializers.HandoverSerializer},
    )
    @action(detail=True, methods=["post"])
    def handover(self, request, slug=None):
        """Name a production owner; they must accept before the ownership counts."""
        initiative = self.get_object()
        serializer = ownership_serializers.HandoverRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = ownership_services.handover_start(
            initiative=initiative, actor=request.user, **serializer.validated_data
        )
        return Response(
            ownership_serializers.HandoverSerializer(handover).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=None, responses={201: ownership_serializers.OwnershipConfirmedSerializer}
    )
    @action(detail=True, methods=["post"], url_path="confirm-ownership")
    def confirm_ownership(self, request, slug=None):
        """The production owner confirms they still own the system."""
        initiative = self.get_object()
        confirmation = ownership_services.ownership_confirm(
            initiative=initiative, actor=request.user, channel="api"
        )
        return Response({"confirmed_at": confirmation.confirmed_at}, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ownership_serializers.PromotionRequestSerializer,
        responses={201: ownership_serializers.PromotionSerializer},
    )
    @action(detail=True, methods=["post"], url_path="promotion-request")
    def promotion_request(self, request, slug=None):
        """Ask governance to approve promotion to production."""
        initiative = self.get_object()
        serializer = ownership_serializers.PromotionRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promotion = ownership_services.promotion_request_create(
            initiative=initiative, actor=request.user, **serializer.validated_data
        )
        return Response(
            ownership_serializers.PromotionSerializer(promotion).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=serializers.EventSerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[])
    def events(self, request, slug=None):
        """The readable timeline, newest first."""
        initiative = self.get_object()
        page = render_events(self.paginate_queryset(initiative.events.select_related("actor")))
        return self.get_paginated_response(serializers.EventSerializer(page, many=True).data)
