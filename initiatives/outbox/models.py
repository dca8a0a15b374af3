from django.conf import settings
from django.db import models
from django.utils import timezone

from initiatives.core.choices import EmailKind, EmailStatus
from initiatives.portfolio.models import Initiative
from initiatives.watch.models import Flag


class EmailRecord(models.Model):
    """Every e-mail, claimed here before it is sent.

    `dedupe_key` is unique: whatever retries or runs twice, one person never gets the same
    e-mail twice. A worker claims a pending row (status `sending`), sends, and marks it
    `sent`; a sweep re-sends rows whose claim went stale because a worker died. A failed
    attempt puts the row back with `next_attempt_at` set by the retry schedule (README,
    "The watch"); the sweep sends it once that moment has come, and marks it `failed` after
    the last attempt. Governance can send a failed e-mail again (`resent_by`, `resent_at`).
    """

    dedupe_key = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=EmailKind.choices)
    recipient = models.EmailField()
    initiative = models.ForeignKey(
        Initiative, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    flag = models.ForeignKey(
        Flag, on_delete=models.SET_NULL, null=True, blank=True, related_name="emails"
    )
    handover = models.ForeignKey(
        "initiatives.OwnershipHandover",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
    )
    business_case = models.ForeignKey(
        "initiatives.BusinessCase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="emails",
    )
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=16, choices=EmailStatus.choices, default=EmailStatus.PENDING
    )
    reminder = models.PositiveSmallIntegerField(
        default=0, help_text="0 for the first e-mail about a flag, then one more per reminder."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # The moment the scan judged when it planned this e-mail (reminder intervals count from it).
    planned_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # After a failed attempt: not before this moment. None: as soon as it is queued.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who last sent this e-mail again after it failed.",
    )
    resent_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["initiative", "-created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"
