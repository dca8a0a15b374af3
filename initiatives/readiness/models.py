"""Readiness (README "Readiness"): templates of milestones, and what each initiative has
recorded against them.

An initiative's checklist is its template's active milestones joined with its records, so
a milestone added to a template reaches every initiative at once, and nothing recorded is
lost when a template changes: records are kept per milestone, and a milestone that is no
longer wanted is deactivated, never deleted while anything is recorded against it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from initiatives.core.choices import CheckMode, MilestoneStatus, Scoring, Stage, WaiverDecision

REQUIRED_FOR = [(Stage.PILOT, "Pilot"), (Stage.PRODUCTION, "Production")]


class ReadinessTemplate(models.Model):
    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    scoring = models.CharField(max_length=20, choices=Scoring.choices, default=Scoring.SHARE)
    is_default = models.BooleanField(
        default=False, help_text="Used by every initiative that names no template."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="readiness_one_default_template",
                violation_error_message="Another template is already the default.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ReadinessMilestone(models.Model):
    template = models.ForeignKey(
        ReadinessTemplate, on_delete=models.CASCADE, related_name="milestones"
    )
    key = models.SlugField(max_length=60)
    domain = models.CharField(max_length=60, help_text="e.g. Security, Observability.")
    title = models.CharField(max_length=200, help_text="A concrete, checkable statement.")
    done_when = models.TextField(help_text="What counts as done, and what evidence shows it.")
    required_for = models.CharField(max_length=16, choices=REQUIRED_FOR)
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(
        default=True, help_text="Untick to retire a milestone; what was recorded is kept."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["template", "key"], name="milestone_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.domain}: {self.title}"


class MilestoneRecord(models.Model):
    """What an initiative has recorded against one milestone."""

    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="milestone_records"
    )
    milestone = models.ForeignKey(
        ReadinessMilestone, on_delete=models.PROTECT, related_name="records"
    )
    status = models.CharField(
        max_length=16, choices=MilestoneStatus.choices, default=MilestoneStatus.NOT_STARTED
    )
    evidence_url = models.URLField(max_length=500, blank=True)
    evidence_note = models.TextField(blank=True, max_length=4000)
    check_mode = models.CharField(max_length=16, choices=CheckMode.choices, blank=True)
    justification = models.TextField(blank=True, max_length=4000)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # The team may ask governance to waive the milestone; the request waits on the
    # governance queue until it is granted (a waiver) or declined. Who asked and why stay on
    # the record once it is answered: the answer is recorded beside them.
    waiver_requested_at = models.DateTimeField(null=True, blank=True)
    waiver_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waiver_request_reason = models.TextField(blank=True, max_length=4000)
    waiver_decision = models.CharField(max_length=16, choices=WaiverDecision.choices, blank=True)
    waiver_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    waiver_decided_at = models.DateTimeField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        indexes = [
            models.Index(
                fields=["waiver_requested_at"],
                condition=Q(waiver_requested_at__isnull=False, waiver_decided_at__isnull=True),
                name="milestone_waiver_pending",
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "milestone"], name="milestone_record_unique"
            ),
            models.CheckConstraint(
                condition=Q(waiver_requested_at__isnull=True) | ~Q(waiver_request_reason=""),
                name="milestone_waiver_request_needs_reason",
                violation_error_message="A waiver request needs a reason.",
            ),
            models.CheckConstraint(
                condition=Q(waiver_decided_at__isnull=True, waiver_decision="")
                | Q(
                    waiver_decided_at__isnull=False,
                    waiver_requested_at__isnull=False,
                    waiver_decision__in=WaiverDecision.values,
                ),
                name="milestone_waiver_decision_answers_a_request",
                violation_error_message="A waiver decision answers a request, and says how.",
            ),
            models.CheckConstraint(
                condition=~Q(status=MilestoneStatus.DONE)
                | ~Q(evidence_url="")
                | ~Q(evidence_note=""),
                name="milestone_done_needs_evidence",
                violation_error_message="Done needs evidence: a link or a note.",
            ),
            models.CheckConstraint(
                condition=~Q(status=MilestoneStatus.WAIVED) | ~Q(justification=""),
                name="milestone_waiver_needs_justification",
                violation_error_message="A waiver needs a justification.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.milestone.key} {self.status}"

    @property
    def waiver_pending(self) -> bool:
        """A waiver was asked for and governance has not answered yet."""
        return self.waiver_requested_at is not None and self.waiver_decided_at is None
