"""What the portal keeps about an API token besides knox's hash: a label and its last use."""

from django.db import models


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
