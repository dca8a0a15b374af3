import math

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from initiatives.core.people import people_to_name

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
        queryset=people_to_name(),
        error_messages={
            "does_not_exist": "No person who may be named has the username '{value}' (people "
            "who have left and service accounts, machine clients, cannot be named)."
        },
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
