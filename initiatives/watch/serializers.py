from rest_framework import serializers

from initiatives.watch.models import Flag


class FlagSerializer(serializers.ModelSerializer):
    initiative = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    is_open = serializers.BooleanField(read_only=True)

    class Meta:
        model = Flag
        fields = ["id", "initiative", "kind", "is_open", "opened_at", "resolved_at", "facts"]
        read_only_fields = fields
