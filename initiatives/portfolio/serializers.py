"""API representations. Every serializer lists its fields; write serializers refuse fields
they do not know, so nobody can set stage, ownership or audit fields through them."""

from django.contrib.auth import get_user_model
from rest_framework import serializers

from initiatives.api.serializers import (
    InitiativeUrlField,
    NamedRelatedField,
    PersonField,
    StrictSerializerMixin,
    person_field,
)
from initiatives.core.choices import HealthStatus, Stage
from initiatives.core.people import people_to_name
from initiatives.portfolio.models import BusinessUnit, Initiative, InitiativeEvent, StageTransition

User = get_user_model()


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
            self.fields["team_members"].child_relation.queryset = people_to_name(
                keeping=self.instance.team_members.values_list("pk", flat=True)
            )


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StageTransition
        fields = ["id", "from_stage", "to_stage", "actor", "at", "note"]
        read_only_fields = fields


class TransitionRequestSerializer(StrictSerializerMixin, serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


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
