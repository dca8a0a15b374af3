from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.api.serializers import StrictSerializerMixin
from initiatives.business_cases.models import BusinessCase
from initiatives.business_cases.services import INPUT_FIELDS
from initiatives.core.currencies import check_allowed_currency

# A derived figure is none until the inputs it needs are filled in.
NULLABLE_DECIMAL = {"type": "string", "format": "decimal", "nullable": True}


class BusinessCaseSerializer(serializers.ModelSerializer):
    """A version with its derived figures (read-only, computed, never stored)."""

    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    total_annual_benefit = serializers.SerializerMethodField()
    annual_run_cost = serializers.SerializerMethodField()
    net_annual_benefit = serializers.SerializerMethodField()
    payback_months = serializers.SerializerMethodField()
    roi_3y = serializers.SerializerMethodField()

    DERIVED = (
        "total_annual_benefit",
        "annual_run_cost",
        "net_annual_benefit",
        "payback_months",
        "roi_3y",
    )

    class Meta:
        model = BusinessCase
        fields = [
            "initiative",
            "version",
            "status",
            *INPUT_FIELDS,
            "total_annual_benefit",
            "annual_run_cost",
            "net_annual_benefit",
            "payback_months",
            "roi_3y",
            "revision",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = fields

    def _figure(self, obj, name):
        figures = getattr(obj, "_figures", None)
        if figures is None:
            figures = obj._figures = obj.figures
        value = getattr(figures, name)
        return None if value is None else str(value)

    @extend_schema_field(NULLABLE_DECIMAL)
    def get_total_annual_benefit(self, obj) -> str | None:
        return self._figure(obj, "total_annual_benefit")

    @extend_schema_field(NULLABLE_DECIMAL)
    def get_annual_run_cost(self, obj) -> str | None:
        return self._figure(obj, "annual_run_cost")

    @extend_schema_field(NULLABLE_DECIMAL)
    def get_net_annual_benefit(self, obj) -> str | None:
        return self._figure(obj, "net_annual_benefit")

    @extend_schema_field(NULLABLE_DECIMAL)
    def get_payback_months(self, obj) -> str | None:
        return self._figure(obj, "payback_months")

    @extend_schema_field(NULLABLE_DECIMAL)
    def get_roi_3y(self, obj) -> str | None:
        return self._figure(obj, "roi_3y")


class BusinessCaseWriteSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    """The inputs of a draft. `revision` (on update) is the revision you last read."""

    currency = serializers.CharField(
        required=False,
        max_length=3,
        help_text=(
            "One of the organisation's currencies (PORTAL_CURRENCIES), or the one the "
            "initiative's case is already in. Defaults to the latest version's, or "
            "PORTAL_DEFAULT_CURRENCY for a first case."
        ),
    )
    revision = serializers.IntegerField(required=False, write_only=True)
    form_key = serializers.CharField(
        required=False, write_only=True, max_length=64, help_text="Idempotency key."
    )

    class Meta:
        model = BusinessCase
        fields = [*INPUT_FIELDS, "revision", "form_key"]

    def validate_currency(self, value: str) -> str:
        # On create, the initiative's latest version is the one whose currency stays allowed.
        current = self.instance.currency if self.instance else self.context.get("currency")
        try:
            check_allowed_currency(value, current)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return value

    def validate(self, attrs):
        inputs = {k: v for k, v in attrs.items() if k in INPUT_FIELDS}
        base = {f: getattr(self.instance, f) for f in INPUT_FIELDS} if self.instance else {}
        probe = BusinessCase(**{**base, **inputs})
        if errors := probe.date_order_errors():
            raise serializers.ValidationError(errors)
        return attrs


class BusinessCaseReviewSerializer(StrictSerializerMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "request_changes", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
