"""Value realisation over the API (README "Value realisation"): an initiative's value reports
(list, create, correct), its comparison with the plan, and the portfolio's totals."""

from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives.api.permissions import MachineClientsOnlyReport
from initiatives.api.schema import ErrorSerializer
from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.core import permissions
from initiatives.portfolio.models import BusinessUnit, Initiative
from initiatives.portfolio.selectors import initiative_by_slug
from initiatives.value import selectors, serializers, services
from initiatives.value.models import ValueReport

REPORT_EXAMPLE = {
    "year": 2025,
    "quarter": 3,
    "currency": "EUR",
    "revenue_protected": "20000.00",
    "revenue_protected_note": "Churn avoided, from the CRM's retention report.",
    "costs_reduced": "10000.00",
    "capacity_hours": "300",
    "hourly_rate": "50.00",
    "risk_mitigated": "5000.00",
    "infrastructure_cost": "8000.00",
    "team_cost": "10000.00",
    "overhead_cost": "2000.00",
    "evidence_url": "https://dashboards.example.com/churn/2025-q3",
}
_AMOUNTS = {
    "revenue_protected": "20000.00",
    "costs_reduced": "10000.00",
    "capacity": "15000.00",
    "risk_mitigated": "5000.00",
    "infrastructure": "8000.00",
    "team": "10000.00",
    "overhead": "2000.00",
    "benefit": "50000.00",
    "run_cost": "20000.00",
    "net": "30000.00",
}
_COMPARED = {
    "planned": {**_AMOUNTS, "benefit": "57472.83", "run_cost": "34483.69", "net": "22989.14"},
    "realised": _AMOUNTS,
    "variance": {"net": {"money": "7010.86", "share": "0.3050"}},
}
COMPARISON_EXAMPLE = {
    "currency": "EUR",
    "build_cost": "240000.00",
    "production_start": "2025-08-15",
    "planned_payback": "2026-12-15",
    "realised_payback_quarter": None,
    "realised_payback": None,
    "realised_roi": "-0.7037",
    "cumulative": _COMPARED,
    "quarters": [
        {
            "quarter": "2025-Q3",
            "days_in_production": 47,
            "days_in_quarter": 92,
            "reported": True,
            "this_quarter": _COMPARED,
            "cumulative": _COMPARED,
        }
    ],
}
PORTFOLIO_EXAMPLE = {
    "on": "2026-11-30",
    "business_units": [
        {
            "business_unit": "Retail Banking",
            "currency": "EUR",
            "systems": 1,
            "quarters_reported": 1,
            "quarters_unreported": 0,
            "planned": _COMPARED["planned"],
            "realised": _AMOUNTS,
            "net_variance": {"money": "7010.86", "share": "0.3050"},
        }
    ],
    "totals": [],
}
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such initiative or quarter.")
FORBIDDEN = OpenApiResponse(ErrorSerializer, description="Not the team or a granted client.")


class ValueReportViewSet(
    ThrottleFirstMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """An initiative's value reports, one per calendar quarter, addressed as `2025-Q3`."""

    serializer_class = serializers.ValueReportSerializer
    permission_classes = [IsAuthenticated, MachineClientsOnlyReport]
    lookup_field = "quarter_label"
    lookup_value_regex = r"\d{4}-Q[1-4]"
    ordering_fields = ["year", "quarter"]
    # A service account granted value reporting pushes and corrects reports (and nothing else).
    machine_client_actions = frozenset({"create", "update", "partial_update"})

    def initiative(self) -> Initiative:
        if not hasattr(self, "_initiative"):
            self._initiative = initiative_by_slug(self.kwargs["initiative_slug"])
        return self._initiative

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ValueReport.objects.none()
        return selectors.value_reports().filter(initiative=self.initiative())

    def get_object(self) -> ValueReport:
        year, _, number = self.kwargs["quarter_label"].partition("-Q")
        report = self.get_queryset().filter(year=int(year), quarter=int(number)).first()
        if report is None:
            raise NotFound(f"{self.kwargs['quarter_label']} is not reported.")
        return report

    def _check(self, initiative: Initiative) -> None:
        if not permissions.can_report_value(self.request.user, initiative):
            raise PermissionDenied(services.NOT_ALLOWED)

    @extend_schema(
        request=serializers.ValueReportWriteSerializer,
        responses={
            201: serializers.ValueReportSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[OpenApiExample("A quarter", value=REPORT_EXAMPLE, request_only=True)],
    )
    def create(self, request, *args, **kwargs):
        """Report one quarter (year and quarter required; a figure left out is 0).

        Refused with 400, by field: a negative figure; another currency than the approved
        business case's (`currency`); a quarter not ended, not in production or already
        reported (`quarter`); without an approved business case (`non_field_errors`)."""
        initiative = self.initiative()
        self._check(initiative)
        serializer = serializers.ValueReportWriteSerializer(
            data=request.data, context={"create": True}
        )
        serializer.is_valid(raise_exception=True)
        quarter, data = serializer.quarter_and_inputs()
        report = services.value_report_create(
            initiative=initiative, actor=request.user, quarter=quarter, data=data
        )
        return Response(
            serializers.ValueReportSerializer(report).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=serializers.ValueReportWriteSerializer,
        responses={
            200: serializers.ValueReportSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
        examples=[
            OpenApiExample(
                "A correction",
                value={"team_cost": "12000.00", "run_cost_note": "Late invoice added."},
                request_only=True,
            )
        ],
    )
    def partial_update(self, request, *args, **kwargs):
        """Correct a reported quarter: the fields sent change; the history keeps the earlier
        figures."""
        initiative = self.initiative()
        self._check(initiative)
        report = self.get_object()
        serializer = serializers.ValueReportWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _, data = serializer.quarter_and_inputs()
        if not data:
            raise ValidationError({"non_field_errors": ["Send at least one field to correct."]})
        report = services.value_report_correct(report=report, actor=request.user, data=data)
        return Response(serializers.ValueReportSerializer(report).data)


class ValueComparisonView(ThrottleFirstMixin, APIView):
    """An initiative's value against its approved business case: per quarter and cumulative,
    the paybacks and the realised ROI (the formulas: README "Value realisation")."""

    @extend_schema(
        operation_id="initiatives_value_retrieve",
        examples=[
            OpenApiExample("One quarter reported", value=COMPARISON_EXAMPLE, response_only=True)
        ],
        responses={
            200: OpenApiResponse(serializers.COMPARISON_SCHEMA),
            404: OpenApiResponse(
                ErrorSerializer, description="No such initiative, or no approved business case."
            ),
        },
    )
    def get(self, request, initiative_slug):
        initiative = initiative_by_slug(initiative_slug)
        comparison = selectors.comparison_for(initiative)
        if comparison is None:
            raise NotFound("This initiative has no approved business case to compare with.")
        return Response(serializers.comparison_data(comparison))


class PortfolioValueView(ThrottleFirstMixin, APIView):
    """Promised against delivered value by business unit, per currency, as on the portfolio
    page; `?business_unit=<name>` narrows it to one unit."""

    @extend_schema(
        operation_id="portfolio_value_retrieve",
        examples=[OpenApiExample("One unit", value=PORTFOLIO_EXAMPLE, response_only=True)],
        parameters=[OpenApiParameter("business_unit", str, description="A business unit's name.")],
        responses={
            200: OpenApiResponse(serializers.PORTFOLIO_SCHEMA),
        },
    )
    def get(self, request):
        name = request.query_params.get("business_unit", "")
        # A NUL names nothing (and PostgreSQL refuses to look one up).
        if name and ("\x00" in name or not BusinessUnit.objects.filter(name=name).exists()):
            raise ValidationError({"business_unit": [f"No business unit is named “{name}”."]})
        return Response(serializers.portfolio_data(selectors.portfolio_value(business_unit=name)))
