"""What the watch keeps: flags raised by the scan, the scan's own runs, and every e-mail."""

from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from initiatives.core.choices import FlagKind
from initiatives.portfolio.models import Initiative


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

    @property
    def reason(self) -> str:
        """Why the flag was raised, as its rule said (`initiatives.watch.rules`)."""
        return self.facts.get("reason", "")


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
