"""API representations. Every serializer lists its fields; write serializers refuse fields
they do not know, so nobody can set stage, ownership or audit fields through them."""

from django.contrib.auth import get_user_model
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerExtension
from rest_framework import serializers
from rest_framework.fields import SkipField
from rest_framework.relations import ManyRelatedField, RelatedField

from initiatives.api.schema import MESSAGES, ValidationErrorExtension
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

    def to_representation(self, instance) -> dict:
        """What DRF's `Serializer.to_representation` gives (a test compares them), on the
        list's hot path (50 rows a page, each page read in a few milliseconds): each field's
        own `to_representation`, with its source read by a plain attribute walk and the
        time zone looked up once per page rather than once per date-time."""
        readers = self.__dict__.get("_readers")
        if readers is None:
            readers = self._readers = []
            zone = timezone.get_current_timezone()
            for field in self._readable_fields:
                if isinstance(field, serializers.DateTimeField):
                    field.timezone = zone  # DRF's own per-field setting
                plain = not isinstance(field, RelatedField | ManyRelatedField)
                readers.append((field, field.source_attrs if plain else None))
        data = {}
        for field, attrs in readers:
            value = instance
            for attr in attrs or ():
                if value is None:  # a missing relation: DRF's rules (null, or left out)
                    attrs = None
                    break
                value = getattr(value, attr)
            if attrs is None:
                try:
                    value = field.get_attribute(instance)
                except SkipField:
                    continue
            data[field.field_name] = None if value is None else field.to_representation(value)
        return data


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


class UnmetConditionSerializer(serializers.Serializer):
    """One condition a stage change did not meet, and the page where it is met."""

    domain = serializers.CharField(
        help_text="What it is about: Stage, Ownership, Business case, Readiness, Promotion "
        "(or Other conditions)."
    )
    group = serializers.CharField(
        help_text="A heading inside the domain (a readiness domain, e.g. Security); empty "
        "when there is none."
    )
    title = serializers.CharField(help_text="The condition in a few words, as the page shows it.")
    message = serializers.CharField(
        help_text="The condition as a sentence: the same text as in `to_stage`."
    )
    fix_url = serializers.CharField(
        help_text="Absolute address of the portal page where the condition is met (a "
        "milestone, the business case form, naming an owner); empty when there is none."
    )


class TransitionRefusedSerializer(serializers.Serializer):
    """400 from a stage change (documented by the extension below)."""

    class Meta:
        ref_name = "TransitionRefused"


class TransitionRefusedExtension(OpenApiSerializerExtension):
    """The API's one error format for bad input (`ValidationError`), plus the refused
    conditions with their domain and the page where each is met."""

    target_class = TransitionRefusedSerializer

    def map_serializer(self, auto_schema, direction):
        schema = ValidationErrorExtension(None).map_serializer(auto_schema, direction)
        condition = auto_schema.resolve_serializer(UnmetConditionSerializer, direction).ref
        schema["description"] = (
            "Bad input (as every `ValidationError`), or a refused move: `to_stage` lists every "
            "unmet condition once, as sentences, and `unmet_conditions` the same conditions "
            "with their domain and the page where each is met."
        )
        schema["properties"] = {
            **schema["properties"],
            "to_stage": MESSAGES,
            "unmet_conditions": {"type": "array", "items": condition},
        }
        return schema


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
