"""The evidence pack in the API: exactly `EvidencePack.content()` (so an auditor can hash
`{"initiative", "sections"}` and compare with `fingerprint`), plus the generated time and
the fingerprint. Output only; these describe the shape for the schema."""

from drf_spectacular.utils import extend_schema_serializer
from rest_framework import serializers


def _when(**kwargs):
    return serializers.DateTimeField(allow_null=True, **kwargs)


class InitiativeFactsSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    stage = serializers.CharField()
    risk_tier = serializers.CharField()
    business_unit = serializers.CharField()
    production_owner = serializers.CharField(help_text="Empty when nobody is named.")


class FactSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.CharField()
    article = serializers.CharField()


class PackClassificationSerializer(serializers.Serializer):
    classified = serializers.BooleanField()
    summary = serializers.CharField(help_text='"Not classified yet" until a confirmed one.')
    facts = FactSerializer(many=True, help_text="Each answer that led to it, with its article.")


class MilestoneEntrySerializer(serializers.Serializer):
    template = serializers.CharField()
    key = serializers.CharField()
    domain = serializers.CharField()
    title = serializers.CharField()
    required_for = serializers.CharField()
    status = serializers.CharField()
    evidence_url = serializers.CharField()
    evidence_note = serializers.CharField()
    check_mode = serializers.CharField()
    recorded_by = serializers.CharField()
    recorded_at = _when()
    frameworks = serializers.ListField(
        child=serializers.CharField(), help_text="Framework item codes it gives evidence for."
    )
    article = serializers.CharField(
        help_text='An EU AI Act obligation\'s article ("Art. 9"); else "".'
    )
    applies_from = serializers.DateField(
        allow_null=True, help_text="An obligation: the date from which it applies; else null."
    )


class MilestonesSerializer(serializers.Serializer):
    template = serializers.CharField()
    entries = MilestoneEntrySerializer(many=True)


class WaiverEntrySerializer(serializers.Serializer):
    milestone = serializers.CharField()
    title = serializers.CharField()
    decision = serializers.CharField(help_text='"waived", "declined" or "pending".')
    justification = serializers.CharField()
    decided_by = serializers.CharField()
    decided_at = _when()
    requested_by = serializers.CharField()
    requested_at = _when()
    request_reason = serializers.CharField()
    article = serializers.CharField(
        help_text='A waived legal obligation\'s article (a "legal obligation waived"); else "".'
    )


class WaiversSerializer(serializers.Serializer):
    entries = WaiverEntrySerializer(many=True)


class CaseEntrySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    currency = serializers.CharField()
    created_by = serializers.CharField()
    created_at = serializers.DateTimeField()
    submitted_by = serializers.CharField()
    submitted_at = _when()
    reviewed_by = serializers.CharField()
    reviewed_at = _when()
    review_comment = serializers.CharField()


class BusinessCasesSerializer(serializers.Serializer):
    entries = CaseEntrySerializer(many=True)


class HandoverEntrySerializer(serializers.Serializer):
    to_owner = serializers.CharField()
    from_owner = serializers.CharField()
    requested_by = serializers.CharField()
    requested_at = serializers.DateTimeField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    decided_at = _when()
    decision_note = serializers.CharField()
    confirms_skills = serializers.BooleanField()
    confirms_mandate = serializers.BooleanField()
    confirms_budget = serializers.BooleanField()


class ConfirmationEntrySerializer(serializers.Serializer):
    owner = serializers.CharField()
    confirmed_at = serializers.DateTimeField()
    channel = serializers.CharField()


class AcceptanceSerializer(serializers.Serializer):
    owner = serializers.CharField()
    accepted_at = _when()
    confirmed_at = _when()
    handovers = HandoverEntrySerializer(many=True)
    confirmations = ConfirmationEntrySerializer(many=True)


class PromotionEntrySerializer(serializers.Serializer):
    requested_by = serializers.CharField()
    requested_at = serializers.DateTimeField()
    note = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    reviewed_by = serializers.CharField()
    reviewed_at = _when()
    review_comment = serializers.CharField()


class TransitionEntrySerializer(serializers.Serializer):
    from_stage = serializers.CharField()
    to_stage = serializers.CharField()
    actor = serializers.CharField()
    at = serializers.DateTimeField()
    note = serializers.CharField()


class PromotionsSerializer(serializers.Serializer):
    promotions = PromotionEntrySerializer(many=True)
    transitions = TransitionEntrySerializer(many=True)


class EventEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField()
    kind = serializers.CharField()
    message = serializers.CharField()


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField()
    new = serializers.CharField()


class ChangeEntrySerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    user = serializers.CharField()
    kind = serializers.CharField()
    reason = serializers.CharField()
    changes = FieldChangeSerializer(many=True)


class HistorySerializer(serializers.Serializer):
    events = EventEntrySerializer(many=True)
    changes = ChangeEntrySerializer(many=True)


class SectionsSerializer(serializers.Serializer):
    classification = PackClassificationSerializer(help_text="The EU AI Act classification.")
    milestones = MilestonesSerializer(help_text="Milestones and obligations, with evidence.")
    waivers = WaiversSerializer()
    business_cases = BusinessCasesSerializer()
    acceptance = AcceptanceSerializer(help_text="The production owner's acceptance.")
    promotions = PromotionsSerializer()
    history = HistorySerializer(help_text="Timeline events and field-level history.")


@extend_schema_serializer(many=False)  # the `list` route answers one initiative's pack
class EvidencePackSerializer(serializers.Serializer):
    generated_at = serializers.DateTimeField()
    fingerprint = serializers.CharField(
        help_text="SHA-256 (hex) of the JSON of {initiative, sections} with keys sorted, "
        "no spaces, UTF-8: the same for two packs saying the same thing."
    )
    initiative = InitiativeFactsSerializer()
    sections = SectionsSerializer()
