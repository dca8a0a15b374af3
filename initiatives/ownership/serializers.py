from rest_framework import serializers

from initiatives.api.serializers import NamedRelatedField, StrictSerializerMixin, person_field
from initiatives.ownership.models import OwnershipHandover, PromotionRequest
from initiatives.portfolio.models import Team


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
