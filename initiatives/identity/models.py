"""What the portal keeps for provisioning by the identity provider over SCIM 2.0: the
provider's bearer tokens (hashed), the provider's id for each person (externalId), and the
provider's groups with their members (the roles follow them, `scim.py`)."""

from django.conf import settings
from django.db import models


class ScimToken(models.Model):
    """A bearer token the identity provider presents on /scim/v2/. Only its SHA-256 is kept:
    the token itself is printed once by `create_scim_token`. Revoked, it answers 401."""

    name = models.CharField(max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "SCIM token"

    def __str__(self) -> str:
        return self.name


class ScimAccount(models.Model):
    """The identity provider's id for a person (SCIM externalId)."""

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="scim_account"
    )
    external_id = models.CharField(max_length=255, blank=True, db_index=True)

    def __str__(self) -> str:
        return self.external_id


class ScimGroup(models.Model):
    """A group at the identity provider, as it provisions it. Members of a group whose name
    is in OIDC_GOVERNANCE_GROUPS (OIDC_ADMIN_GROUPS) are governance reviewers (staff)."""

    name = models.CharField(max_length=255, unique=True)
    scim_external_id = models.CharField(max_length=255, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="scim_groups"
    )

    class Meta:
        verbose_name = "SCIM group"

    def __str__(self) -> str:
        return self.name
