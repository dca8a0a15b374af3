"""Business cases (README "Business cases"): versioned, reviewed, with figures derived in one
pure function (`initiatives.business_cases.figures`)."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from initiatives.core.choices import BusinessCaseStatus
from initiatives.core.currencies import validate_currency
from initiatives.portfolio.models import Initiative

# A sane ceiling for any single figure: a hundred billion in the case's currency.
MAX_AMOUNT = Decimal("100000000000")


def money(help_text: str, verbose_name: str | None = None) -> models.DecimalField:
    return models.DecimalField(
        verbose_name=verbose_name,
        max_digits=14,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(MAX_AMOUNT)],
        help_text=help_text,
    )


def rationale(help_text: str) -> models.TextField:
    return models.TextField(blank=True, max_length=2000, help_text=help_text)


PRODUCTION_BEFORE_PILOT = "The production date cannot be before the pilot date."


class BusinessCase(models.Model):
    """One version of an initiative's business case. Figures are annual unless named
    one-time, all in the case's currency. A submitted version is never edited again."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="business_cases"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=BusinessCaseStatus.choices, default=BusinessCaseStatus.DRAFT
    )
    currency = models.CharField(
        max_length=3,
        validators=[validate_currency],
        help_text="ISO 4217 code, e.g. EUR. Every figure in this case is in this currency.",
    )

    # Benefits (annual)
    revenue_protected = money(
        "Revenue a year that would be lost without the system (churn avoided, sales kept)."
    )
    revenue_protected_rationale = rationale("How you arrived at the revenue protected.")
    costs_reduced = money(
        "Running costs a year that stop because of the system (suppliers, rework, fines)."
    )
    costs_reduced_rationale = rationale("Which costs go away, and why.")
    capacity_hours = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10000000"))],
        help_text="Hours of work a year the system frees for other work.",
    )
    hourly_rate = money(
        "Loaded cost of one hour of that work (salary, overheads), to value the hours freed."
    )
    capacity_rationale = rationale("Whose hours, and how they were counted.")
    risk_mitigated = money(
        "Expected annual loss avoided: likelihood × impact of the incidents the system prevents."
    )
    risk_mitigated_rationale = rationale("Which risks, with their likelihood and impact.")

    # Investment
    build_cost = money("One-time cost to build and launch (people, licences, hardware).")
    infrastructure_cost = money("Compute, storage and licences a year, in production.")
    team_fte = models.DecimalField(
        verbose_name="team FTE",
        max_digits=7,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("10000"))],
        help_text="Full-time equivalents needed to run the system (e.g. 1.5).",
    )
    cost_per_fte = money("Annual cost of one full-time equivalent, loaded.", "cost per FTE")
    operational_overhead = money(
        "Other running costs a year: support contracts, monitoring, audits, retraining."
    )

    # Timeline
    target_pilot_date = models.DateField(null=True, blank=True)
    target_production_date = models.DateField(null=True, blank=True)

    # Lifecycle
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Bumped on every save of a draft: a form saved against an older revision is refused.
    revision = models.PositiveIntegerField(default=1)
    # The form's one-time key: posting the same form twice creates one version.
    form_key = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        ordering = ["initiative", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["initiative", "version"], name="case_version_unique"),
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(status=BusinessCaseStatus.DRAFT),
                name="case_one_draft_per_initiative",
                violation_error_message="This initiative already has a draft business case.",
            ),
            models.UniqueConstraint(
                fields=["initiative", "form_key"],
                condition=~Q(form_key=""),
                name="case_form_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=BusinessCaseStatus.values), name="case_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(target_pilot_date__isnull=True)
                | Q(target_production_date__isnull=True)
                | Q(target_production_date__gte=F("target_pilot_date")),
                name="case_production_after_pilot",
                violation_error_message=PRODUCTION_BEFORE_PILOT,
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.initiative} business case v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse(
            "business-case-detail",
            kwargs={"slug": self.initiative.slug, "version": self.version},
        )

    def date_order_errors(self) -> dict[str, str]:
        """The pilot-before-production rule, field by field (empty when the dates agree): the
        one place the model, the form and the API check it; the database constraint
        `case_production_after_pilot` enforces the same rule."""
        pilot, production = self.target_pilot_date, self.target_production_date
        if pilot and production and production < pilot:
            return {"target_production_date": PRODUCTION_BEFORE_PILOT}
        return {}

    def clean(self) -> None:
        if errors := self.date_order_errors():
            raise ValidationError(errors)

    def get_constraints(self):
        # The date order is reported on its field by clean(), not again as a form-wide error;
        # the database still enforces it.
        return [
            (model, [c for c in constraints if c.name != "case_production_after_pilot"])
            for model, constraints in super().get_constraints()
        ]

    @property
    def capacity_value(self) -> Decimal:
        return self.capacity_hours * self.hourly_rate

    @property
    def figures(self):
        from initiatives.business_cases.figures import derive

        return derive(self)


RATE_NOT_POSITIVE = "A rate is more than zero."
RATE_TAKEN = "This currency already has a rate from that day; correct that one instead."


class ExchangeRate(models.Model):
    """What one unit of `currency` is worth in the reporting currency
    (PORTAL_REPORTING_CURRENCY) from `valid_from` until the currency's next rate: entered by
    an administrator, corrected rather than deleted, every change kept in the history
    (README "Reporting currency")."""

    currency = models.CharField(
        max_length=3,
        validators=[validate_currency],
        help_text="ISO 4217 code, one of the organisation's currencies (PORTAL_CURRENCIES).",
    )
    rate = models.DecimalField(
        max_digits=18,
        decimal_places=8,
        validators=[MaxValueValidator(Decimal("1000000000"))],
        help_text="One unit of this currency in the reporting currency, e.g. 0.92 for "
        "1 USD = 0.92 EUR.",
    )
    valid_from = models.DateField(
        help_text="The first day the rate applies; it applies until the currency's next rate."
    )
    note = models.CharField(
        max_length=250, blank=True, help_text="Where the rate comes from, e.g. the ECB."
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    entered_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()

    FIELD_CHECKED_CONSTRAINTS = (
        "exchange_rate_one_per_currency_and_day",
        "exchange_rate_positive",
    )

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            # Also the index the rate look-up reads: (currency, valid_from) backwards.
            models.UniqueConstraint(
                fields=["currency", "valid_from"],
                name="exchange_rate_one_per_currency_and_day",
                violation_error_message=RATE_TAKEN,
            ),
            models.CheckConstraint(
                condition=Q(rate__gt=0),
                name="exchange_rate_positive",
                violation_error_message=RATE_NOT_POSITIVE,
            ),
        ]

    def __str__(self) -> str:
        return f"1 {self.currency} = {self.rate.normalize():f} from {self.valid_from}"

    def clean(self) -> None:
        # Field by field, before the database constraints' form-wide messages.
        errors = {}
        reporting = settings.PORTAL_REPORTING_CURRENCY
        if self.currency == reporting:
            errors["currency"] = f"{reporting} is the reporting currency: its rate is always 1."
        elif self.currency and self.currency not in settings.PORTAL_CURRENCIES:
            errors["currency"] = (
                f"{self.currency} is not one of the organisation's currencies: "
                f"{', '.join(settings.PORTAL_CURRENCIES)}."
            )
        if self.rate is not None and self.rate <= 0:
            errors["rate"] = RATE_NOT_POSITIVE
        taken = ExchangeRate.objects.filter(currency=self.currency, valid_from=self.valid_from)
        if self.valid_from and "currency" not in errors and taken.exclude(pk=self.pk).exists():
            errors["valid_from"] = RATE_TAKEN
        if errors:
            raise ValidationError(errors)

    def get_constraints(self):
        # clean() reports both rules on their fields; the database still enforces them.
        return [
            (model, [c for c in constraints if c.name not in self.FIELD_CHECKED_CONSTRAINTS])
            for model, constraints in super().get_constraints()
        ]
