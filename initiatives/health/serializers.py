from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from initiatives.api.serializers import AwareDateTimeField, JsonNumberField, StrictSerializerMixin
from initiatives.health.models import METRIC_BOUNDS, METRICS


def metric(name: str) -> JsonNumberField:
    """An optional metric, refused outside the bounds the model declares for it."""
    low, high = METRIC_BOUNDS[name]
    return JsonNumberField(required=False, allow_null=True, min_value=low, max_value=high)


class HealthReportSerializer(StrictSerializerMixin, serializers.Serializer):
    """One observation. Metrics are optional JSON numbers; each is refused outside its range."""

    observed_at = AwareDateTimeField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def get_fields(self):
        """observed_at, then one field per metric in the registry (`METRICS`), then notes."""
        fields = super().get_fields()
        notes = fields.pop("notes")
        fields.update({m.name: metric(m.name) for m in METRICS})
        fields["notes"] = notes
        return fields

    def validate_observed_at(self, value):
        now = timezone.now()
        if value > now + timedelta(seconds=settings.PORTAL_HEALTH_CLOCK_SKEW_SECONDS):
            raise serializers.ValidationError(
                "This moment is in the future (more than the allowed clock skew)."
            )
        if value < now - timedelta(days=settings.PORTAL_HEALTH_OLDEST_DAYS):
            raise serializers.ValidationError(
                f"This moment is more than {settings.PORTAL_HEALTH_OLDEST_DAYS} days ago; "
                "was the time left unset?"
            )
        return value


class HealthPushResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    stored = serializers.IntegerField()
    duplicates = serializers.IntegerField()


class HealthReportErrorSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the report in the batch, from 0.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Each bad field of that report with its messages.",
    )


class HealthPushErrorSerializer(serializers.Serializer):
    """A refused batch: nothing was stored. Each bad report is named by its index; a batch
    refused as a whole (empty, too many reports, not JSON) has a `detail` only."""

    detail = serializers.CharField()
    reports = HealthReportErrorSerializer(many=True, required=False)


@extend_schema_serializer(many=False)  # the `list` route answers one initiative's health
class HealthSerializer(serializers.Serializer):
    status = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    latest_at = serializers.DateTimeField(allow_null=True)
    latest = serializers.DictField(child=serializers.FloatField(allow_null=True))
    eval_regression = serializers.BooleanField()
    eval_baseline = serializers.FloatField(allow_null=True)
    eval_allowed_drop = serializers.FloatField(allow_null=True)
    thresholds = serializers.DictField()
    series = serializers.ListField(child=serializers.DictField())
