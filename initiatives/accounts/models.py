"""What the portal keeps about an API token besides knox's hash: a label, its last use, and
a record of each revocation."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiTokenInfo(models.Model):
    """One row per knox token. Deleting the token (revoking it) deletes this row too.

    Tokens made elsewhere (the admin, older commands) get their row on first use.
    """

    token = models.OneToOneField(
        "knox.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="info"
    )
    name = models.CharField(max_length=100, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token details"
        verbose_name_plural = "API token details"

    def __str__(self) -> str:
        return self.name or self.token_id[:8]


class ApiTokenRevocation(models.Model):
    """A token that was revoked, and why: kept after the token itself is deleted, so a
    person (on their profile page) and staff (in the admin) can see what stopped working."""

    class Reason(models.TextChoices):
        BY_OWNER = "by_owner", "Revoked by its owner"
        PASSWORD_CHANGED = "password_changed", "The password changed"
        DEACTIVATED = "deactivated", "The account was deactivated"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token_revocations"
    )
    token_key = models.CharField(max_length=25, help_text="The token's public id.")
    name = models.CharField(max_length=100, blank=True)
    created = models.DateTimeField(help_text="When the token was made.")
    reason = models.CharField(max_length=32, choices=Reason.choices)
    revoked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-revoked_at", "-id"]
        indexes = [models.Index(fields=["user", "-revoked_at"])]

    def __str__(self) -> str:
        return f"{self.name or self.token_key} ({self.get_reason_display()})"
