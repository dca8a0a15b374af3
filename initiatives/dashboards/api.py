"""The portfolio summary: the dashboard's numbers, for machines (README "REST API").

It reads `dashboards.summary.portfolio_summary`, the same function as the portfolio page, so the
two can never disagree. Each number comes with the query string that lists what it
counts, usable on the web list (`url`) and on `/api/v1/initiatives/` (`api_url`).
"""

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.dashboards import selectors
from initiatives.dashboards.summary import portfolio_summary
from initiatives.portfolio.models import BusinessUnit


def _api_url(web_url: str) -> str:
    query = web_url.partition("?")[2]
    base = reverse("api:initiative-list")
    return f"{base}?{query}" if query else base


class TallySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="The stage, flag kind or health status counted.")
    label = serializers.CharField()
    count = serializers.IntegerField()
    url = serializers.CharField(help_text="The web list of what is counted.")
    api_url = serializers.SerializerMethodField(help_text="The same list in the API.")

    def get_api_url(self, tally) -> str:
        return _api_url(tally.url)


class ConversionSerializer(serializers.Serializer):
    from_stage = serializers.CharField(source="from_label")
    to_stage = serializers.CharField(source="to_label")
    entered = serializers.IntegerField(help_text="Initiatives that ever entered from_stage.")
    reached = serializers.IntegerField(help_text="Of those, how many ever reached to_stage.")
    rate = serializers.FloatField(allow_null=True, help_text="reached / entered; null if none.")
    url = serializers.CharField()
    api_url = serializers.SerializerMethodField()

    def get_api_url(self, conversion) -> str:
        return _api_url(conversion.url)


class DwellSerializer(serializers.Serializer):
    stage = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField(help_text="Initiatives in the stage now.")
    stalled = serializers.IntegerField(help_text="Of those, how many carry an open stalled flag.")
    limit_days = serializers.IntegerField(help_text="Days in the stage before it is stalled.")
    median_days = serializers.IntegerField(allow_null=True, help_text="Whole days.")
    worst_days = serializers.IntegerField(allow_null=True)
    url = serializers.CharField()


class AttentionSerializer(serializers.Serializer):
    slug = serializers.CharField(source="initiative.slug")
    name = serializers.CharField(source="initiative.name")
    business_unit = serializers.CharField(source="initiative.business_unit.name")
    stage = serializers.CharField(source="initiative.stage")
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="Why, most urgent first, as on the page."
    )
    since = serializers.DateTimeField(
        allow_null=True, help_text="When its oldest open flag was raised."
    )
    url = serializers.CharField(source="initiative.get_absolute_url")


class ScanSerializer(serializers.Serializer):
    finished_at = serializers.DateTimeField(source="last.finished_at", allow_null=True)
    interval_seconds = serializers.IntegerField()
    overdue = serializers.BooleanField(help_text="No scan finished within two intervals.")


def _money(help_text: str = "", **kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=20, decimal_places=2, coerce_to_string=True, help_text=help_text, **kwargs
    )


class PlannedTotalSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="ISO 4217 code of the cases totalled.")
    amount = _money("Their planned net annual benefit, summed.")
    count = serializers.IntegerField(help_text="Initiatives whose plan is in this currency.")
    approved = serializers.IntegerField(
        help_text="Of those, how many from an approved case (the others await a decision)."
    )


class UsedRateSerializer(serializers.Serializer):
    currency = serializers.CharField()
    rate = serializers.DecimalField(
        max_digits=18,
        decimal_places=8,
        coerce_to_string=True,
        help_text="One unit of the currency in the reporting currency.",
    )
    valid_from = serializers.DateField(help_text="The day the rate applies from.")


class ReportingTotalSerializer(serializers.Serializer):
    currency = serializers.CharField(help_text="PORTAL_REPORTING_CURRENCY.")
    amount = _money(
        "Every total in the reporting currency; null when a currency has no rate.",
        allow_null=True,
    )
    on = serializers.DateField(help_text="Rates are the latest on or before this day.")
    rates = UsedRateSerializer(many=True, help_text="The rates used, by currency.")
    missing = serializers.ListField(
        child=serializers.CharField(), help_text="Currencies without a rate by then."
    )


class WaitingSerializer(serializers.Serializer):
    slug = serializers.CharField(source="initiative.slug")
    name = serializers.CharField(source="initiative.name")
    business_unit = serializers.CharField(source="initiative.business_unit.name")
    stage = serializers.CharField(source="initiative.stage")
    days_in_stage = serializers.IntegerField(source="days")
    planned_net_annual_benefit = _money(
        "From the case named by case_version.", source="planned_net"
    )
    currency = serializers.CharField(source="case.currency")
    case_version = serializers.IntegerField(source="case.version")
    case_status = serializers.CharField(
        source="case.status", help_text="approved, else submitted or changes_requested."
    )
    url = serializers.CharField(source="initiative.get_absolute_url")


class ValleyValueSerializer(serializers.Serializer):
    in_valley = serializers.IntegerField(help_text="Initiatives in POC and pilot.")
    planned = serializers.IntegerField(
        help_text="Of those, how many have a business case approved or awaiting a decision."
    )
    without_plan = serializers.IntegerField(
        help_text="Initiatives in POC and pilot without one: no value counted for them."
    )
    totals = PlannedTotalSerializer(many=True, help_text="Per currency, in code order.")
    reporting = ReportingTotalSerializer()
    longest_waiting = WaitingSerializer(
        source="waiting", many=True, help_text="The five longest in their stage, longest first."
    )
    url = serializers.CharField(help_text="The web list of the initiatives in POC and pilot.")
    api_url = serializers.SerializerMethodField()

    def get_api_url(self, value) -> str:
        return _api_url(value.url)


class PortfolioSummarySerializer(serializers.Serializer):
    as_of = serializers.DateTimeField()
    business_unit = serializers.CharField(source="business_unit.name", allow_null=True)
    total = serializers.IntegerField()
    production = serializers.IntegerField()
    stages = TallySerializer(many=True)
    conversions = ConversionSerializer(many=True)
    valley = DwellSerializer(many=True)
    flags = TallySerializer(many=True)
    health = TallySerializer(many=True)
    needs_attention = AttentionSerializer(
        source="attention",
        many=True,
        help_text="The initiatives that most need attention, most urgent first (at most 10).",
    )
    needs_attention_total = serializers.IntegerField(source="attention_total")
    needs_attention_url = serializers.CharField(source="attention_url")
    needs_attention_api_url = serializers.SerializerMethodField()
    scan = ScanSerializer()
    value_waiting = ValleyValueSerializer(
        source="valley_value",
        help_text="The planned net annual benefit of the initiatives in POC and pilot: each "
        "one's latest approved business case, else its latest one awaiting a decision.",
    )

    def get_needs_attention_api_url(self, summary) -> str:
        return _api_url(summary["attention_url"])


class PortfolioView(ThrottleFirstMixin, APIView):
    """The portfolio's numbers, as on the dashboard at `/`; `?business_unit=<name>` narrows
    every number to one business unit."""

    @extend_schema(
        parameters=[OpenApiParameter("business_unit", str, description="A business unit's name.")],
        responses={200: PortfolioSummarySerializer},
    )
    def get(self, request):
        unit = None
        name = request.query_params.get("business_unit", "")
        if name:
            unit = BusinessUnit.objects.filter(name=name).first()
            if unit is None:
                raise ValidationError({"business_unit": [f"No business unit is named “{name}”."]})
        summary = portfolio_summary(business_unit=unit)
        scan = selectors.scan_state()
        return Response(PortfolioSummarySerializer({**summary.__dict__, "scan": scan}).data)
