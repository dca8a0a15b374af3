"""What the watch keeps: flags raised by the scan, the scan's own runs, and every e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from ..choices import EmailKind, EmailStatus, FlagKind
from .portfolio import Initiative


class Flag(models.Model):
    """A condition the scan found on an initiative. Opened when it starts, resolved (never
    deleted) when it ends; the database refuses two open flags of one kind on one initiative.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=32, choices=FlagKind.choices)
    opened_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    facts = models.JSONField(default=dict, blank=True, help_text="What raised the flag.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "kind"],
                condition=Q(resolved_at__isnull=True),
                name="flag_one_open_per_kind",
                violation_error_message="This initiative already has an open flag of this kind.",
            ),
            models.CheckConstraint(condition=Q(kind__in=FlagKind.values), name="flag_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["kind", "resolved_at"]),
            models.Index(fields=["initiative", "resolved_at"]),
            # The governance queue: open flags of a kind, the longest-open first.
            models.Index(
                fields=["kind", "opened_at", "id"],
                condition=Q(resolved_at__isnull=True),
                name="flag_open_by_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.initiative}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class ScanRun(models.Model):
    """One run of the portfolio scan: when, as of when, and what it changed."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    as_of = models.DateTimeField()
    flags_opened = models.PositiveIntegerField(default=0)
    flags_resolved = models.PositiveIntegerField(default=0)
    emails_queued = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Scan of {self.started_at:%Y-%m-%d %H:%M}"


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
