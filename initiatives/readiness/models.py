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

from initiatives.core.choices import (
    CheckMode,
    MilestoneStatus,
    ObligationRole,
    ObligationScope,
    Scoring,
    Stage,
    WaiverDecision,
)

REQUIRED_FOR = [(Stage.PILOT, "Pilot"), (Stage.PRODUCTION, "Production")]


class ReadinessTemplate(models.Model):
    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    scoring = models.CharField(max_length=20, choices=Scoring.choices, default=Scoring.SHARE)
    is_default = models.BooleanField(
        default=False, help_text="Used by every initiative that names no template."
    )
    offered = models.BooleanField(
        default=True,
        help_text="Offered as an initiative's checklist. The EU AI Act obligations are not: "
        "they join an initiative's checklist when its classification says they apply.",
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
            ),
            models.CheckConstraint(
                condition=Q(offered=True) | Q(is_default=False),
                name="readiness_default_template_offered",
                violation_error_message="The default template must be offered to initiatives.",
            ),
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


# --- EU AI Act obligations (README "Regulation") -------------------------------------------
#
# Each obligation is a milestone of the `eu-ai-act` template (so the milestone page, records,
# evidence and waivers serve it unchanged) plus what says when it applies: its article, to
# whom, and from which date. The dates, the obligations and their wording are data (loaded by
# a migration, edited in the admin), never code: the law may still move the dates.


class ApplicationDate(models.Model):
    """The date from which a part of the AI Act applies (Art. 113), by regime."""

    regime = models.SlugField(
        max_length=40,
        unique=True,
        help_text="e.g. annex_iii. The high-risk regimes are named as the classification names "
        "its basis: annex_iii, annex_i.",
    )
    label = models.CharField(max_length=120)
    applies_from = models.DateField()
    note = models.TextField(blank=True, help_text="Where the date comes from; whether it may move.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["applies_from", "regime"]

    def __str__(self) -> str:
        return f"{self.label} ({self.applies_from:%Y-%m-%d})"


class Obligation(models.Model):
    """An EU AI Act obligation: a milestone, the article it cites, to whom it applies, and
    from when (empty: the date of the system's high-risk basis, Annex III or Annex I)."""

    milestone = models.OneToOneField(
        ReadinessMilestone, on_delete=models.PROTECT, related_name="obligation"
    )
    article = models.CharField(max_length=40, help_text='As cited, e.g. "Art. 9", "Art. 50(1)".')
    applies_to = models.CharField(max_length=24, choices=ObligationScope.choices)
    role = models.CharField(
        max_length=16,
        choices=ObligationRole.choices,
        default=ObligationRole.ANY,
        help_text="Whose duty it is; an organisation that is both provider and deployer has both.",
    )
    paragraph = models.CharField(
        max_length=12,
        blank=True,
        help_text='For a transparency duty: the Art. 50 paragraph, e.g. "50(1)".',
    )
    application_date = models.ForeignKey(
        ApplicationDate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="obligations",
        help_text="Empty for the high-risk duties: they apply from the date of the system's "
        "basis (Annex III or Annex I).",
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["milestone__order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(applies_to=ObligationScope.TRANSPARENCY, paragraph__regex=r"^50\(\d\)$")
                | (~Q(applies_to=ObligationScope.TRANSPARENCY) & Q(paragraph="")),
                name="obligation_paragraph_for_transparency",
                violation_error_message="A transparency duty names its Art. 50 paragraph, as "
                '"50(1)"; no other obligation has one.',
            ),
            models.CheckConstraint(
                condition=Q(application_date__isnull=False)
                | Q(applies_to__in=[ObligationScope.HIGH_RISK, ObligationScope.FUNDAMENTAL_RIGHTS]),
                name="obligation_dated",
                violation_error_message="Only the high-risk duties take their date from the "
                "system's basis; every other obligation names its application date.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article}: {self.milestone.title}"


class ApplicableObligation(models.Model):
    """An obligation that applies to one initiative, as its confirmed classification says
    (`readiness.obligations.obligations_apply`), and from which date. Records made against
    the milestone live in `MilestoneRecord` and outlast a re-classification."""

    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="applicable_obligations"
    )
    milestone = models.ForeignKey(
        ReadinessMilestone, on_delete=models.PROTECT, related_name="applicable_obligations"
    )
    # The regime, not a copied date: when the law (and the admin) moves a date, every system
    # it applies to moves with it.
    application_date = models.ForeignKey(
        ApplicationDate, on_delete=models.PROTECT, related_name="applicable_obligations"
    )
    applied_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "milestone"], name="applicable_obligation_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.milestone.key}"

    @property
    def applies_from(self):
        return self.application_date.applies_from
