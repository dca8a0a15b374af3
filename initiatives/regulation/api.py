"""The classification in the API (README "Regulation"): an initiative's versions, answering
the questionnaire, confirming or returning a version, and the questionnaire itself."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives.api.permissions import Conflict
from initiatives.api.schema import ErrorSerializer
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.core import permissions
from initiatives.core.choices import ClassificationStatus
from initiatives.portfolio.selectors import initiative_by_slug
from initiatives.regulation import selectors, serializers, services
from initiatives.regulation.models import Classification


def _state(initiative) -> dict:
    versions = list(selectors.classifications().filter(initiative=initiative))
    current = next((c for c in versions if c.status == ClassificationStatus.CONFIRMED), None)
    return serializers.ClassificationStateSerializer(
        {"current": current, "versions": versions}
    ).data


class ClassificationView(ThrottleFirstMixin, APIView):
    """An initiative's EU AI Act classification: the current (confirmed) version and every
    version; the team answers the questionnaire here."""

    @extend_schema(responses={200: serializers.ClassificationStateSerializer})
    def get(self, request, slug):
        return Response(_state(initiative_by_slug(slug)))

    @extend_schema(
        request=serializers.ClassificationSubmitSerializer,
        responses={201: serializers.ClassificationStateSerializer, 409: ErrorSerializer},
    )
    def post(self, request, slug):
        """Submit answers by question key (the result is derived from them), or save them as
        a draft. Unknown questions and options are refused under `answers`, by key; while a
        version awaits confirmation the answer is 409."""
        initiative = initiative_by_slug(slug)
        if not permissions.can_classify(request.user, initiative):
            raise PermissionDenied("Only the initiative's team may classify it.")
        serializer = serializers.ClassificationSubmitSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            services.classification_submit(
                initiative=initiative, actor=request.user, **serializer.validated_data
            )
        except services.ClassificationInProgress as error:
            raise Conflict(error.messages[0]) from error
        except DjangoValidationError as error:
            if hasattr(error, "error_dict"):
                raise ValidationError({"answers": error.message_dict}) from error
            raise
        return Response(_state(initiative), status=status.HTTP_201_CREATED)


class _Decision(ThrottleFirstMixin, APIView):
    def classification(self, request, slug, version) -> Classification:
        initiative = initiative_by_slug(slug)
        classification = get_object_or_404(
            selectors.classifications().filter(initiative=initiative), version=version
        )
        if not permissions.can_confirm_classification(request.user, classification):
            code, message = permissions.confirm_classification_refusal(request.user, classification)
            raise (Conflict if code == 409 else PermissionDenied)(message)
        return classification


class ClassificationConfirmView(_Decision):
    @extend_schema(
        request=serializers.ClassificationConfirmSerializer,
        responses={200: serializers.ClassificationSerializer},
    )
    def post(self, request, slug, version):
        """Confirm a version awaiting confirmation (governance, never on the team)."""
        classification = self.classification(request, slug, version)
        serializer = serializers.ClassificationConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        classification = services.classification_confirm(
            classification=classification, actor=request.user, **serializer.validated_data
        )
        return Response(serializers.ClassificationSerializer(classification).data)


class ClassificationReturnView(_Decision):
    @extend_schema(
        request=serializers.ClassificationReturnSerializer,
        responses={200: serializers.ClassificationSerializer},
    )
    def post(self, request, slug, version):
        """Return a version to the team asking for changes, with a comment (governance)."""
        classification = self.classification(request, slug, version)
        serializer = serializers.ClassificationReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        classification = services.classification_return(
            classification=classification, actor=request.user, **serializer.validated_data
        )
        return Response(serializers.ClassificationSerializer(classification).data)


class QuestionListView(ThrottleFirstMixin, APIView):
    """The questionnaire: every active question in order, with its options and their
    effects on the result."""

    @extend_schema(responses={200: serializers.QuestionSerializer(many=True)})
    def get(self, request):
        return Response(serializers.QuestionSerializer(selectors.questions(), many=True).data)
