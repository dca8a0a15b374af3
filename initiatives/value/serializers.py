from decimal import Decimal

from rest_framework import serializers

from initiatives.api.serializers import StrictSerializerMixin
from initiatives.value.figures import LINES, Quarter
from initiatives.value.models import (
    FIGURE_FIELDS,
    INPUT_FIELDS,
    MAX_AMOUNT,
    NEGATIVE,
    NOTE_FIELDS,
    ValueReport,
)

DECIMAL = {"type": "string", "format": "decimal"}
NULLABLE_DECIMAL = {**DECIMAL, "nullable": True}


class ValueReportSerializer(serializers.ModelSerializer):
    """A quarter's report as stored, addressed by its quarter ("2025-Q3")."""

    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    quarter_label = serializers.CharField(source="label", read_only=True, help_text="2025-Q3")
    reported_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ValueReport
        fields = [
            "initiative",
            "quarter_label",
            "year",
            "quarter",
            *INPUT_FIELDS,
            "reported_by",
            "reported_at",
            "updated_at",
        ]
        read_only_fields = fields


def _figure(help_text: str = "") -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        required=False,
        coerce_to_string=True,
        error_messages={"min_value": NEGATIVE},
        help_text=help_text,
    )


class ValueReportWriteSerializer(StrictSerializerMixin, serializers.Serializer):
    """A report's inputs. On create, `year` and `quarter` say which quarter; a figure left out
    is 0. On correct, only the fields sent change."""

    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    quarter = serializers.IntegerField(min_value=1, max_value=4, required=False)
    currency = serializers.CharField(
        max_length=3,
        required=False,
        help_text="The approved business case's currency (the default); any other is refused.",
    )
    evidence_url = serializers.URLField(max_length=500, required=False, allow_blank=True)

    def get_fields(self):
        fields = super().get_fields()
        for name in FIGURE_FIELDS:
            fields[name] = _figure(ValueReport._meta.get_field(name).help_text)
        for name in NOTE_FIELDS:
            fields[name] = serializers.CharField(max_length=500, required=False, allow_blank=True)
        return fields

    def validate(self, attrs):
        if self.context.get("create"):
            missing = {k: ["Required."] for k in ("year", "quarter") if k not in attrs}
            if missing:
                raise serializers.ValidationError(missing)
        elif {"year", "quarter"} & set(attrs):
            raise serializers.ValidationError(
                {"quarter": ["A report's quarter cannot change; report the other quarter."]}
            )
        return attrs

    def quarter_and_inputs(self) -> tuple[Quarter | None, dict]:
        data = dict(self.validated_data)
        year, number = data.pop("year", None), data.pop("quarter", None)
        return (Quarter(year, number) if year else None), data


class AmountsSerializer(serializers.Serializer):
    """One side (planned or realised) of a quarter or a running total."""

    def to_representation(self, amounts):
        if amounts is None:
            return None
        return {
            **{key: str(amounts.lines[key]) for key, _ in LINES},
            "benefit": str(amounts.benefit),
            "run_cost": str(amounts.run_cost),
            "net": str(amounts.net),
        }


AMOUNTS_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {
        **{key: DECIMAL for key, _ in LINES},
        "benefit": DECIMAL,
        "run_cost": DECIMAL,
        "net": DECIMAL,
    },
}
VARIANCE_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {"money": DECIMAL, "share": NULLABLE_DECIMAL},
}
COMPARED_SCHEMA = {
    "type": "object",
    "nullable": True,
    "properties": {
        "planned": AMOUNTS_SCHEMA,
        "realised": AMOUNTS_SCHEMA,
        "variance": {
            "type": "object",
            "nullable": True,
            "description": "realised − planned by line and for benefit, run_cost and net; "
            "share = variance ÷ planned (null when the plan is 0).",
            "additionalProperties": VARIANCE_SCHEMA,
        },
    },
}


def compared(value) -> dict | None:
    if value is None:
        return None
    amounts = AmountsSerializer()
    variance = None
    if value.realised is not None:
        variance = {key: _variance(v) for key, _, _, _, v in value.lines()} | {
            name: _variance(getattr(value, name)) for name in ("benefit", "run_cost", "net")
        }
    return {
        "planned": amounts.to_representation(value.planned),
        "realised": amounts.to_representation(value.realised),
        "variance": variance,
    }


def _variance(v) -> dict | None:
    if v is None:
        return None
    return {"money": str(v.money), "share": None if v.share is None else str(v.share)}


COMPARISON_SCHEMA = {
    "type": "object",
    "properties": {
        "currency": {"type": "string"},
        "build_cost": DECIMAL,
        "production_start": {"type": "string", "format": "date", "nullable": True},
        "planned_payback": {"type": "string", "format": "date", "nullable": True},
        "realised_payback_quarter": {"type": "string", "nullable": True},
        "realised_payback": {"type": "string", "format": "date", "nullable": True},
        "realised_roi": NULLABLE_DECIMAL,
        "cumulative": COMPARED_SCHEMA,
        "quarters": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "quarter": {"type": "string"},
                    "days_in_production": {"type": "integer"},
                    "days_in_quarter": {"type": "integer"},
                    "reported": {"type": "boolean"},
                    "this_quarter": COMPARED_SCHEMA,
                    "cumulative": COMPARED_SCHEMA,
                },
            },
        },
    },
}


def comparison_data(comparison) -> dict:
    return {
        "currency": comparison.currency,
        "build_cost": str(comparison.build_cost),
        "production_start": _iso(comparison.production_start),
        "planned_payback": _iso(comparison.planned_payback),
        "realised_payback_quarter": comparison.realised_payback.label
        if comparison.realised_payback
        else None,
        "realised_payback": _iso(comparison.realised_payback_day),
        "realised_roi": None if comparison.realised_roi is None else str(comparison.realised_roi),
        "cumulative": compared(comparison.totals) if comparison.reported else None,
        "quarters": [
            {
                "quarter": row.quarter.label,
                "days_in_production": row.production_days,
                "days_in_quarter": row.quarter.days,
                "reported": row.reported,
                "this_quarter": compared(row.this_quarter),
                "cumulative": compared(row.cumulative),
            }
            for row in comparison.rows
        ],
    }


def _iso(day) -> str | None:
    return day.isoformat() if day else None


UNIT_SCHEMA = {
    "type": "object",
    "properties": {
        "business_unit": {"type": "string", "description": '"All" on a totals row.'},
        "currency": {"type": "string"},
        "systems": {"type": "integer"},
        "quarters_reported": {"type": "integer"},
        "quarters_unreported": {"type": "integer"},
        "planned": AMOUNTS_SCHEMA,
        "realised": AMOUNTS_SCHEMA,
        "net_variance": VARIANCE_SCHEMA,
    },
}
PORTFOLIO_SCHEMA = {
    "type": "object",
    "properties": {
        "on": {"type": "string", "format": "date"},
        "business_units": {"type": "array", "items": UNIT_SCHEMA},
        "totals": {
            "type": "array",
            "description": "One row per currency: amounts in different currencies are never "
            "added up.",
            "items": UNIT_SCHEMA,
        },
    },
}


def unit_data(unit) -> dict:
    amounts = AmountsSerializer()
    return {
        "business_unit": unit.business_unit,
        "currency": unit.currency,
        "systems": unit.systems,
        "quarters_reported": unit.quarters_reported,
        "quarters_unreported": unit.quarters_unreported,
        "planned": amounts.to_representation(unit.planned),
        "realised": amounts.to_representation(unit.realised),
        "net_variance": _variance(unit.net_variance),
    }


def portfolio_data(value) -> dict:
    return {
        "on": value.on.isoformat(),
        "business_units": [unit_data(u) for u in value.units],
        "totals": [unit_data(u) for u in value.totals.values()],
    }
