"""Value reports (README "Value realisation"): what a production system delivered in one
calendar quarter, in the same lines as its approved business case, and which machine clients
may push them. The comparison with the plan is worked out in `initiatives.value.figures`."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from initiatives.business_cases.models import MAX_AMOUNT
from initiatives.core.currencies import validate_currency
from initiatives.portfolio.models import Initiative

NEGATIVE = "Type 0 or more: a figure here cannot be negative."


def money(help_text: str, verbose_name: str | None = None) -> models.DecimalField:
    return models.DecimalField(
        verbose_name=verbose_name,
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[
            MinValueValidator(Decimal("0"), message=NEGATIVE),
            MaxValueValidator(MAX_AMOUNT),
        ],
        help_text=help_text,
    )


def note(help_text: str) -> models.CharField:
    return models.CharField(max_length=500, blank=True, help_text=help_text)


# The figures a report carries, in the order the form, the API and the CSV give them.
BENEFIT_FIELDS = ("revenue_protected", "costs_reduced", "capacity_hours", "hourly_rate")
BENEFIT_FIELDS += ("risk_mitigated",)
RUN_COST_FIELDS = ("infrastructure_cost", "team_cost", "overhead_cost")
NOTE_FIELDS = (
    "revenue_protected_note",
    "costs_reduced_note",
    "capacity_note",
    "risk_mitigated_note",
    "run_cost_note",
)
FIGURE_FIELDS = (*BENEFIT_FIELDS, *RUN_COST_FIELDS)
INPUT_FIELDS = ("currency", *FIGURE_FIELDS, *NOTE_FIELDS, "evidence_url")


class ValueReport(models.Model):
    """What one initiative delivered in one calendar quarter (year + quarter 1-4), in the
    approved business case's currency. One per initiative and quarter; a correction changes
    the row, and its history keeps every earlier version."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="value_reports"
    )
    year = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    quarter = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(4)], help_text="1 to 4."
    )
    currency = models.CharField(
        max_length=3,
        validators=[validate_currency],
        help_text="The approved business case's currency (ISO 4217).",
    )
    # Benefits delivered in the quarter
    revenue_protected = money("Revenue kept in the quarter thanks to the system.")
    revenue_protected_note = note("How it was measured.")
    costs_reduced = money("Running costs that stopped in the quarter.")
    costs_reduced_note = note("Which costs, and how they were counted.")
    capacity_hours = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[
            MinValueValidator(Decimal("0"), message=NEGATIVE),
            MaxValueValidator(Decimal("10000000")),
        ],
        help_text="Hours of work the system freed in the quarter.",
    )
    hourly_rate = money("Loaded cost of one of those hours.")
    capacity_note = note("Whose hours, and how they were counted.")
    risk_mitigated = money("Expected loss avoided in the quarter.")
    risk_mitigated_note = note("Which incidents were prevented.")
    # What running it actually cost in the quarter
    infrastructure_cost = money("Compute, storage and licences in the quarter.")
    team_cost = money("The team's cost to run the system in the quarter.")
    overhead_cost = money("Other running costs in the quarter: support, monitoring, audits.")
    run_cost_note = note("Where the run cost figures come from.")
    evidence_url = models.URLField(
        max_length=500, blank=True, help_text="A link to the evidence (a dashboard, a report)."
    )

    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["initiative", "year", "quarter"]
        constraints = [
            # Also the index every read uses (an initiative's reports in quarter order).
            models.UniqueConstraint(
                fields=["initiative", "year", "quarter"],
                name="value_report_once_per_quarter",
                violation_error_message="This quarter is already reported; correct it instead.",
            ),
            models.CheckConstraint(
                condition=Q(quarter__gte=1, quarter__lte=4), name="value_report_quarter_valid"
            ),
            models.CheckConstraint(
                condition=Q(revenue_protected__gte=0)
                & Q(costs_reduced__gte=0)
                & Q(capacity_hours__gte=0)
                & Q(hourly_rate__gte=0)
                & Q(risk_mitigated__gte=0)
                & Q(infrastructure_cost__gte=0)
                & Q(team_cost__gte=0)
                & Q(overhead_cost__gte=0),
                name="value_report_figures_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["year", "quarter"])]

    def __str__(self) -> str:
        return f"{self.initiative} value {self.label}"

    def get_absolute_url(self) -> str:
        return reverse("value", args=[self.initiative.slug]) + f"#q-{self.label}"

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"


class ValueReporterGrant(models.Model):
    """A machine client (a user with an API token) may push value reports for this
    initiative, as `HealthReporterGrant` lets one push health."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="value_grants"
    )
    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="value_grants"
    )
    granted_at = models.DateTimeField(default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "initiative"], name="value_grant_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} may report value on {self.initiative}"
