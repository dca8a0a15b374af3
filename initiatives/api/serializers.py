"""API representations. Every serializer lists its fields; write serializers refuse fields
they do not know, so nobody can set stage, ownership or audit fields through them."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from ..choices import CheckMode, HealthStatus, MilestoneStatus, Stage
from ..currencies import currency_choices
from ..models import (
    BusinessCase,
    BusinessUnit,
    EmailRecord,
    Flag,
    Initiative,
    InitiativeEvent,
    OwnershipHandover,
    PromotionRequest,
    StageTransition,
    Team,
)
from ..models.health import METRIC_BOUNDS
from ..services import INPUT_FIELDS

User = get_user_model()


class StrictSerializerMixin:
    """Refuse unknown input fields with a field-level error instead of ignoring them."""

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, dict):
            writable = {name for name, f in self.fields.items() if not f.read_only}
            unknown = {
                name: ["Unknown or read-only field."] for name in sorted(set(data) - writable)
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as error:
            # Report unknown fields together with the others, not instead of them.
            if unknown and isinstance(error.detail, dict):
                raise serializers.ValidationError({**unknown, **error.detail}) from error
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value


class NamedRelatedField(serializers.SlugRelatedField):
    """A related object named by a text field (a username, a business unit's name).

    A name with a NUL character names nothing, and PostgreSQL refuses to even look one up,
    so it is refused here as bad input rather than failing in the database.
    """

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.")
        return super().to_internal_value(data)


def person_field(**kwargs) -> serializers.SlugRelatedField:
    return NamedRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        error_messages={"does_not_exist": "No active person has the username '{value}'."},
        **kwargs,
    )


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["username", "name"]

    def get_name(self, obj) -> str:
        return obj.get_full_name() or obj.username


@extend_schema_field(PersonSerializer)
class PersonField(serializers.Field):
    """A person as {username, name}: what PersonSerializer gives, without a nested
    serializer per row (a list page shows three people on each of 50 rows)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, user) -> dict:
        return {"username": user.username, "name": user.get_full_name() or user.username}


@extend_schema_field({"type": "string", "format": "uri"})
class InitiativeUrlField(serializers.Field):
    """The initiative's API address, built from its slug without a `reverse()` per row."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, source="slug", **kwargs)

    def to_representation(self, slug: str) -> str:
        base = getattr(self, "_base", None)
        if base is None:
            base = reverse("api:initiative-list")
            request = self.context.get("request")
            base = self._base = request.build_absolute_uri(base) if request else base
        return f"{base}{slug}/"


class InitiativeSerializer(serializers.ModelSerializer):
    """An initiative as lists show it. Read-only, plain fields: the list endpoint renders
    50 of these per page, so nothing here costs a query or a URL resolution per row."""

    business_unit = serializers.CharField(source="business_unit.name", read_only=True)
    owning_team = serializers.CharField(source="owning_team.name", read_only=True, allow_null=True)
    sponsor = PersonField(allow_null=True)
    production_owner = PersonField(allow_null=True)
    backup_owner = PersonField(allow_null=True)
    ownership_pending = serializers.BooleanField(read_only=True)
    health_status = serializers.ChoiceField(
        choices=[*HealthStatus.choices, ("", "Not judged")],
        read_only=True,
        help_text="A production system's health as of the last scan or health report; empty "
        "outside production and until first judged.",
    )
    url = InitiativeUrlField()

    class Meta:
        model = Initiative
        fields = [
            "url",
            "slug",
            "name",
            "summary",
            "business_unit",
            "sponsor",
            "risk_tier",
            "stage",
            "stage_entered_at",
            "target_production_date",
            "production_owner",
            "ownership_pending",
            "owner_accepted_at",
            "owner_confirmed_at",
            "owning_team",
            "backup_owner",
            "health_status",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class InitiativeDetailSerializer(InitiativeSerializer):
    team_members = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta(InitiativeSerializer.Meta):
        fields = [*InitiativeSerializer.Meta.fields, "team_members"]
        read_only_fields = fields


class InitiativeWriteSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    business_unit = NamedRelatedField(
        slug_field="name",
        queryset=BusinessUnit.objects.all(),
        error_messages={"does_not_exist": "No business unit is named “{value}”."},
    )
    sponsor = person_field(required=False, allow_null=True)
    team_members = person_field(many=True, required=False)

    class Meta:
        model = Initiative
        fields = [
            "name",
            "slug",
            "summary",
            "business_unit",
            "sponsor",
            "risk_tier",
            "target_production_date",
            "team_members",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["slug"].read_only = True
            # A member who has left stays listed (GET shows them), so a client that sends the
            # list it read back must not be refused for them; only adding them is.
            self.fields["team_members"].child_relation.queryset = User.objects.filter(
                Q(is_active=True) | Q(memberships__initiative=self.instance)
            ).distinct()


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StageTransition
        fields = ["id", "from_stage", "to_stage", "actor", "at", "note"]
        read_only_fields = fields


class TransitionRequestSerializer(StrictSerializerMixin, serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class HandoverSerializer(serializers.ModelSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    from_owner = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    to_owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    owning_team = serializers.SlugRelatedField(slug_field="name", read_only=True, allow_null=True)

    class Meta:
        model = OwnershipHandover
        fields = [
            "id",
            "initiative",
            "from_owner",
            "to_owner",
            "owning_team",
            "requested_by",
            "requested_at",
            "note",
            "status",
            "decided_at",
            "decision_note",
            "confirms_skills",
            "confirms_mandate",
            "confirms_budget",
        ]
        read_only_fields = fields


class HandoverRequestSerializer(StrictSerializerMixin, serializers.Serializer):
    to_owner = person_field()
    owning_team = NamedRelatedField(
        slug_field="name", queryset=Team.objects.all(), required=False, allow_null=True
    )
    backup_owner = person_field(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class HandoverAcceptSerializer(StrictSerializerMixin, serializers.Serializer):
    confirms_skills = serializers.BooleanField()
    confirms_mandate = serializers.BooleanField()
    confirms_budget = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class HandoverDeclineSerializer(StrictSerializerMixin, serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class PromotionSerializer(serializers.ModelSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = PromotionRequest
        fields = [
            "id",
            "initiative",
            "requested_by",
            "requested_at",
            "note",
            "status",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
        ]
        read_only_fields = fields


class OwnershipConfirmedSerializer(serializers.Serializer):
    confirmed_at = serializers.DateTimeField()


class PromotionRequestSerializer(StrictSerializerMixin, serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class PromotionReviewSerializer(StrictSerializerMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    message = serializers.CharField(
        read_only=True, help_text="The sentence, rendered when read, with today's names."
    )
    params = serializers.DictField(
        read_only=True,
        help_text="What the sentence is made of, by kind: people as user ids (to_owner), "
        "stages as codes (from_stage, to_stage), milestones as ids, changed fields as a list "
        "(fields), notes, comments and reasons as typed. An old entry that could not be "
        "converted holds only its original sentence as text.",
    )

    class Meta:
        model = InitiativeEvent
        fields = ["at", "kind", "message", "params", "actor"]
        read_only_fields = fields


class FlagSerializer(serializers.ModelSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "initiative", "kind", "is_open", "opened_at", "resolved_at", "facts"]
        read_only_fields = fields


class EmailSerializer(serializers.ModelSerializer):
    """One e-mail in the outbox: where it stands, and when it is tried next."""

    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    resent_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = EmailRecord
        fields = [
            "id",
            "kind",
            "recipient",
            "initiative",
            "reminder",
            "status",
            "attempts",
            "created_at",
            "next_attempt_at",
            "sent_at",
            "last_error",
            "resent_by",
            "resent_at",
        ]
        read_only_fields = fields


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

    currency = serializers.ChoiceField(
        choices=currency_choices(),
        required=False,
        help_text="Defaults to the latest version's, or PORTAL_DEFAULT_CURRENCY for a first case.",
    )
    revision = serializers.IntegerField(required=False, write_only=True)
    form_key = serializers.CharField(
        required=False, write_only=True, max_length=64, help_text="Idempotency key."
    )

    class Meta:
        model = BusinessCase
        fields = [*INPUT_FIELDS, "revision", "form_key"]

    def validate(self, attrs):
        inputs = {k: v for k, v in attrs.items() if k in INPUT_FIELDS}
        base = {f: getattr(self.instance, f) for f in INPUT_FIELDS} if self.instance else {}
        probe = BusinessCase(**{**base, **inputs})
        pilot, production = probe.target_pilot_date, probe.target_production_date
        if pilot and production and production < pilot:
            raise serializers.ValidationError(
                {"target_production_date": "The production date cannot be before the pilot date."}
            )
        return attrs


class BusinessCaseReviewSerializer(StrictSerializerMixin, serializers.Serializer):
    decision = serializers.ChoiceField(choices=["approve", "request_changes", "reject"])
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class ScoreSerializer(serializers.Serializer):
    name = serializers.CharField()
    required = serializers.IntegerField()
    satisfied = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=4, decimal_places=3, allow_null=True)


class ChecklistItemSerializer(serializers.Serializer):
    key = serializers.CharField(source="milestone.key")
    domain = serializers.CharField(source="milestone.domain")
    title = serializers.CharField(source="milestone.title")
    done_when = serializers.CharField(source="milestone.done_when")
    required_for = serializers.CharField(source="milestone.required_for")
    required = serializers.BooleanField(help_text="Required for the next stage.")
    status = serializers.CharField()
    evidence_url = serializers.CharField(source="record.evidence_url", default="")
    evidence_note = serializers.CharField(source="record.evidence_note", default="")
    check_mode = serializers.CharField(source="record.check_mode", default="")
    justification = serializers.CharField(source="record.justification", default="")
    updated_by = serializers.CharField(
        source="record.updated_by.username", default=None, allow_null=True
    )
    updated_at = serializers.DateTimeField(
        source="record.updated_at", default=None, allow_null=True
    )
    waiver_requested_by = serializers.CharField(
        source="record.waiver_requested_by.username", default=None, allow_null=True
    )
    waiver_requested_at = serializers.DateTimeField(
        source="record.waiver_requested_at", default=None, allow_null=True
    )
    waiver_request_reason = serializers.CharField(source="record.waiver_request_reason", default="")
    waiver_decision = serializers.CharField(
        source="record.waiver_decision",
        default="",
        help_text="How the waiver request was answered (granted, declined, withdrawn); empty "
        "while it waits or when none was made. Who asked and why are kept once it is answered.",
    )
    waiver_decided_by = serializers.CharField(
        source="record.waiver_decided_by.username", default=None, allow_null=True
    )
    waiver_decided_at = serializers.DateTimeField(
        source="record.waiver_decided_at", default=None, allow_null=True
    )


class MLTestScoreSerializer(serializers.Serializer):
    sections = serializers.DictField(child=serializers.DecimalField(max_digits=4, decimal_places=1))
    final = serializers.DecimalField(max_digits=4, decimal_places=1)
    reading = serializers.CharField()


@extend_schema_serializer(many=False)  # the `list` route answers one checklist
class ReadinessSerializer(serializers.Serializer):
    template = serializers.CharField(source="template.key")
    target_stage = serializers.CharField(source="target", allow_null=True)
    total = ScoreSerializer()
    domains = ScoreSerializer(many=True)
    ml_test_score = MLTestScoreSerializer(allow_null=True)
    milestones = ChecklistItemSerializer(source="items", many=True)


class MilestoneUpdateSerializer(StrictSerializerMixin, serializers.Serializer):
    """Any of the fields; those not sent keep their recorded values."""

    status = serializers.ChoiceField(choices=MilestoneStatus.choices, required=False)
    evidence_url = serializers.CharField(required=False, allow_blank=True, max_length=500)
    evidence_note = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    check_mode = serializers.ChoiceField(
        choices=CheckMode.choices, required=False, allow_blank=True
    )


class MilestoneWaiveSerializer(StrictSerializerMixin, serializers.Serializer):
    justification = serializers.CharField(max_length=4000)


class WaiverRequestSerializer(StrictSerializerMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=4000, help_text="Why the milestone should not apply.")


class WaiverDeclineSerializer(StrictSerializerMixin, serializers.Serializer):
    comment = serializers.CharField(max_length=4000, help_text="Why the milestone still applies.")


class JsonNumberField(serializers.FloatField):
    """A JSON number only: true, false and "0.5" are refused rather than read as numbers."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int | float):
            self.fail("invalid")
        if not math.isfinite(data):  # 1e999 parses as infinity
            self.fail("invalid")
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 date-time with its time zone, e.g. 2026-11-26T09:00:00Z."""

    def to_internal_value(self, value):
        try:
            parsed = parse_datetime(value) if isinstance(value, str) else None
        except ValueError:  # well-formed but impossible, e.g. minute 60
            parsed = None
        if parsed is None or timezone.is_naive(parsed):
            raise serializers.ValidationError(
                "Give a date-time with its time zone, e.g. 2026-11-26T09:00:00Z."
            )
        return super().to_internal_value(value)


def metric(name: str) -> JsonNumberField:
    """An optional metric, refused outside the bounds the model declares for it."""
    low, high = METRIC_BOUNDS[name]
    return JsonNumberField(required=False, allow_null=True, min_value=low, max_value=high)


class HealthReportSerializer(StrictSerializerMixin, serializers.Serializer):
    """One observation. Metrics are optional JSON numbers; each is refused outside its range."""

    observed_at = AwareDateTimeField()
    availability = metric("availability")
    latency_p95_ms = metric("latency_p95_ms")
    error_rate = metric("error_rate")
    data_freshness_hours = metric("data_freshness_hours")
    data_quality_pass_rate = metric("data_quality_pass_rate")
    eval_score = metric("eval_score")
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

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
