from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from initiatives.api.permissions import RULES, ActionRule, MachineClientsOnlyReport
from initiatives.api.schema import ErrorSerializer
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.business_cases import selectors, serializers, services
from initiatives.business_cases.models import BusinessCase
from initiatives.portfolio.models import Initiative
from initiatives.portfolio.selectors import initiative_by_slug


class BusinessCaseViewSet(
    ThrottleFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """An initiative's business-case versions, addressed by version number."""

    serializer_class = serializers.BusinessCaseSerializer
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
            self._initiative = initiative_by_slug(self.kwargs["initiative_slug"])
        return self._initiative

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no URL kwargs
            return BusinessCase.objects.none()
        return selectors.business_cases().filter(initiative=self.initiative())

    def _respond(self, case, status_code=status.HTTP_200_OK) -> Response:
        case = self.get_queryset().get(pk=case.pk)
        return Response(serializers.BusinessCaseSerializer(case).data, status=status_code)

    @extend_schema(
        request=serializers.BusinessCaseWriteSerializer,
        responses={201: serializers.BusinessCaseSerializer, 409: ErrorSerializer},
    )
    def create(self, request, *args, **kwargs):
        """Start the next version as a draft (inputs not given are copied from the latest).

        Posting again with the same `form_key` and the same inputs answers the version the
        first post made; the same `form_key` with other inputs gets 409 and saves nothing.
        """
        initiative = self.initiative()
        if not RULES["edit"](request.user, initiative):
            raise PermissionDenied("Only the initiative's team may write its business case.")
        # The currency the case is already in stays allowed (see PORTAL_CURRENCIES).
        current = services.latest_inputs(initiative).get("currency")
        serializer = serializers.BusinessCaseWriteSerializer(
            data=request.data, context={"currency": current}
        )
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
        request=serializers.BusinessCaseWriteSerializer,
        responses={200: serializers.BusinessCaseSerializer, 409: ErrorSerializer},
    )
    def update(self, request, *args, **kwargs):
        """Change a draft. Send the `revision` you read: a stale one gets 409."""
        case = self.get_object()
        serializer = serializers.BusinessCaseWriteSerializer(
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
        request=serializers.BusinessCaseWriteSerializer,
        responses={200: serializers.BusinessCaseSerializer, 409: ErrorSerializer},
    )
    def partial_update(self, request, *args, **kwargs):
        """Change some fields of a draft. Send the `revision` you read: a stale one gets 409."""
        return self.update(request, *args, partial=True, **kwargs)

    @extend_schema(request=None, responses=serializers.BusinessCaseSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, initiative_slug=None, version=None):
        """Submit a draft for review."""
        case = services.business_case_submit(case=self.get_object(), actor=request.user)
        return self._respond(case)

    @extend_schema(
        request=serializers.BusinessCaseReviewSerializer,
        responses=serializers.BusinessCaseSerializer,
    )
    @action(detail=True, methods=["post"])
    def review(self, request, initiative_slug=None, version=None):
        """Approve, reject or ask for changes (governance; never your own submission)."""
        case = self.get_object()
        serializer = serializers.BusinessCaseReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        case = services.business_case_review(
            case=case, actor=request.user, **serializer.validated_data
        )
        return self._respond(case)
