from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers

from initiatives.api.serializers import StrictSerializerMixin
from initiatives.core.choices import CheckMode, MilestoneStatus


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
    article = serializers.CharField(
        source="obligation.article",
        default=None,
        allow_null=True,
        help_text='For an EU AI Act obligation, the article it cites ("Art. 9"); null for an '
        "engineering milestone.",
    )
    applies_from = serializers.DateField(
        default=None,
        allow_null=True,
        help_text="For an EU AI Act obligation, the date from which the law applies it to this "
        "initiative; null for an engineering milestone.",
    )
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
