from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from initiatives.api.permissions import RULES, ActionRule, MachineClientsOnlyReport
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.ownership import serializers, services
from initiatives.ownership.filtersets import HandoverFilterSet, PromotionRequestFilterSet
from initiatives.ownership.models import OwnershipHandover, PromotionRequest


class HandoverViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """Every ownership handover; the named owner accepts or declines here."""

    lookup_value_regex = r"\d+"
    serializer_class = serializers.HandoverSerializer
    queryset = OwnershipHandover.objects.select_related(
        "initiative", "from_owner", "to_owner", "requested_by", "owning_team"
    )
    filterset_class = HandoverFilterSet
    ordering_fields = ["requested_at", "decided_at", "status"]
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, ActionRule]
    object_rules = {"accept": RULES["answer_handover"], "decline": RULES["answer_handover"]}

    @extend_schema(
        request=serializers.HandoverAcceptSerializer, responses=serializers.HandoverSerializer
    )
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        handover = self.get_object()
        serializer = serializers.HandoverAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.handover_accept(
            handover=handover, actor=request.user, **serializer.validated_data
        )
        return Response(serializers.HandoverSerializer(handover).data)

    @extend_schema(
        request=serializers.HandoverDeclineSerializer, responses=serializers.HandoverSerializer
    )
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        handover = self.get_object()
        serializer = serializers.HandoverDeclineSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        handover = services.handover_decline(
            handover=handover, actor=request.user, **serializer.validated_data
        )
        return Response(serializers.HandoverSerializer(handover).data)


class PromotionRequestViewSet(ThrottleFirstMixin, viewsets.ReadOnlyModelViewSet):
    """Requests to promote an initiative to production; governance reviews them here."""

    lookup_value_regex = r"\d+"
    serializer_class = serializers.PromotionSerializer
    queryset = PromotionRequest.objects.select_related("initiative", "requested_by", "reviewed_by")
    filterset_class = PromotionRequestFilterSet
    ordering_fields = ["requested_at", "reviewed_at", "status"]
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport, ActionRule]
    object_rules = {"review": RULES["review_promotion"]}

    @extend_schema(
        request=serializers.PromotionReviewSerializer, responses=serializers.PromotionSerializer
    )
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        promotion = self.get_object()
        serializer = serializers.PromotionReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promotion = services.promotion_review(
            promotion=promotion,
            actor=request.user,
            approve=serializer.validated_data["decision"] == "approve",
            comment=serializer.validated_data["comment"],
        )
        return Response(serializers.PromotionSerializer(promotion).data)
