from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.api.serializers import StrictSerializerMixin
from initiatives.regulation.models import Classification, Option, Question


class ReasonSerializer(serializers.Serializer):
    article = serializers.CharField()
    sentence = serializers.CharField()


class ClassificationSerializer(serializers.ModelSerializer):
    """One version: the answers as given and what was derived from them."""

    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    submitted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    reviewed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    answers = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Question key → the option keys chosen.",
    )
    transparency = serializers.ListField(
        child=serializers.CharField(), help_text="The Art. 50 paragraphs that apply."
    )
    reasons = serializers.SerializerMethodField(help_text="Each answer that led to the result.")
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Classification
        fields = [
            "initiative",
            "version",
            "status",
            "category",
            "role",
            "high_risk_basis",
            "annex_point",
            "transparency",
            "gpai_provider",
            "fundamental_rights_assessment",
            "reasons",
            "answers",
            "created_by",
            "created_at",
            "submitted_by",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, classification) -> list[dict]:
        return [{"article": a, "sentence": s} for a, s in classification.reasons]


class ClassificationStateSerializer(serializers.Serializer):
    current = ClassificationSerializer(
        allow_null=True, help_text="The latest confirmed version; null when none is."
    )
    versions = ClassificationSerializer(many=True, help_text="Every version, newest first.")


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        },
        "example": {"role": "provider", "annex_iii": "p4a", "exceptions": ["none"]},
    }
)
class AnswersField(serializers.JSONField):
    """Question key → option key (a list of option keys for a several-choice question)."""


class ClassificationSubmitSerializer(StrictSerializerMixin, serializers.Serializer):
    answers = AnswersField(
        help_text="Every active question's key → its option key (or a list of option keys "
        "for a several-choice question); see /api/v1/regulation/questions/."
    )
    draft = serializers.BooleanField(
        default=False, help_text="Save as a draft instead of submitting for confirmation."
    )


class ClassificationConfirmSerializer(StrictSerializerMixin, serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=4000)


class ClassificationReturnSerializer(StrictSerializerMixin, serializers.Serializer):
    comment = serializers.CharField(max_length=4000, help_text="What the team should change.")


class OptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["key", "label", "effect"]


class QuestionSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["key", "section", "text", "help_text", "article", "kind", "options"]
