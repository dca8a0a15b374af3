from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from initiatives.core.choices import (
    ConfirmationChannel,
    HandoverStatus,
    PromotionStatus,
)
from initiatives.portfolio.models import Initiative, Team


class OwnershipHandover(models.Model):
    """Naming a production owner. Kept for ever; the new owner must accept it."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="handovers")
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The previous owner's acceptance and the backup owner before the handover, both
    # restored if the new owner declines (the outgoing owner is often kept as backup).
    from_owner_accepted_at = models.DateTimeField(null=True, blank=True)
    from_backup_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_received"
    )
    owning_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    # What the new owner confirms on acceptance (README "Ownership").
    confirms_skills = models.BooleanField(default=False)
    confirms_mandate = models.BooleanField(default=False)
    confirms_budget = models.BooleanField(default=False)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(status=HandoverStatus.PENDING),
                name="handover_one_pending_per_initiative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=HandoverStatus.values), name="handover_status_valid"
            ),
        ]
        indexes = [models.Index(fields=["to_owner", "status"])]

    def __str__(self) -> str:
        return f"{self.initiative}: handover to {self.to_owner}"


class OwnershipConfirmation(models.Model):
    """The owner saying "I still own this" (or an acceptance, or an imported date)."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="confirmations"
    )
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(max_length=16, choices=ConfirmationChannel.choices)

    class Meta:
        ordering = ["-confirmed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.owner} confirmed {self.initiative}"


class PromotionRequest(models.Model):
    """A request to promote an initiative to production, reviewed by governance."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="promotion_requests"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=PromotionStatus.choices, default=PromotionStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(status=PromotionStatus.PENDING),
                name="promotion_one_pending_per_initiative",
            ),
        ]

    def __str__(self) -> str:
        return f"Promotion of {self.initiative} ({self.status})"
