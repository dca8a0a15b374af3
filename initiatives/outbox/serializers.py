from rest_framework import serializers

from initiatives.outbox.models import EmailRecord


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
