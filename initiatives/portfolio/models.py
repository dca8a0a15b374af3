"""The portfolio's data and its invariants. Writes go through each domain's services."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Case, F, OrderBy, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from initiatives.core.choices import (
    OWNED_STAGES,
    STAGE_ORDER,
    TERMINAL_STAGES,
    EventKind,
    HealthStatus,
    RiskTier,
    Stage,
)

# Addresses the portal itself uses under /initiatives/.
RESERVED_SLUGS = frozenset({"new", "import"})

validate_lowercase_slug = RegexValidator(
    r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens, e.g. invoice-matching.",
    code="invalid_slug",
)


def validate_not_reserved(value: str) -> None:
    if value in RESERVED_SLUGS:
        raise ValidationError(
            "'%(value)s' is a portal address; choose another.", params={"value": value}
        )


def validate_single_line(value: str) -> None:
    if any(ch in value for ch in "\r\n\t\x00"):
        raise ValidationError("Use a single line, without line breaks or tabs.")


# How the list sorts the columns whose codes do not sort as people read them: stages in
# lifecycle order, risk from low to critical, health from healthy to silent ("" ranks as
# empty, last). The list's ordering and the indexes below build the same expression, so
# PostgreSQL reads a sorted page through the index instead of sorting the table.
SORT_RANKS = {
    "stage": [str(stage) for stage in (*STAGE_ORDER, Stage.CANCELLED)],
    "risk_tier": RiskTier.values,
    "health_status": HealthStatus.values,
}
# The columns the list sorts by through an index of their own (with the name and the id as
# tie-breakers, in either direction). The business unit and the owner sort through a join.
INDEXED_SORTS = (
    "name",
    "stage",
    "stage_entered_at",
    "risk_tier",
    "health_status",
    "owner_confirmed_at",
)


def sort_key(field: str):
    """The expression the list sorts `field` by: its rank for ranked columns, else itself."""
    if field in SORT_RANKS:
        return Case(
            *[When(**{field: value}, then=Value(i)) for i, value in enumerate(SORT_RANKS[field])],
            default=None,
        )
    return F(field)


class SortIndex(models.Index):
    """An index in the list's order. PostgreSQL keeps the empty values last, as the list
    sorts them; SQLite (the demo) accepts no NULLS LAST in an index, so it gets the same
    columns without it."""

    def create_sql(self, model, schema_editor, using="", **kwargs):
        if schema_editor.connection.vendor == "postgresql":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        plain = [
            OrderBy(e.expression, descending=e.descending) if isinstance(e, OrderBy) else e
            for e in self.expressions
        ]
        return models.Index(*plain, name=self.name, condition=self.condition).create_sql(
            model, schema_editor, using=using, **kwargs
        )


def sort_indexes() -> list[models.Index]:
    """Two indexes per sorted column, one per direction, each in the list's exact order:
    the key (empty values last either way), then the name and the id ascending."""
    indexes = []
    for field in INDEXED_SORTS:
        short = field.replace("_", "")[:12]
        for descending in (False, True):
            key = sort_key(field)
            key = key.desc(nulls_last=True) if descending else key.asc(nulls_last=True)
            tie = [] if field == "name" else [F("name")]
            indexes.append(
                SortIndex(
                    key,
                    *tie,
                    F("id"),
                    name=f"initiative_sort_{short}_{'d' if descending else 'a'}",
                )
            )
    return indexes


class BusinessUnit(models.Model):
    name = models.CharField(max_length=100, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """The team that runs a system in production (the owning team)."""

    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Initiative(models.Model):
    name = models.CharField(max_length=200, validators=[validate_single_line])
    slug = models.SlugField(
        max_length=80, unique=True, validators=[validate_lowercase_slug, validate_not_reserved]
    )
    summary = models.TextField(blank=True)
    business_unit = models.ForeignKey(
        BusinessUnit, on_delete=models.PROTECT, related_name="initiatives"
    )
    sponsor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sponsored_initiatives",
        help_text="The executive who funds the initiative; receives escalations.",
    )
    risk_tier = models.CharField(max_length=16, choices=RiskTier.choices, default=RiskTier.MEDIUM)
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.IDEA)
    stage_entered_at = models.DateTimeField(default=timezone.now)
    target_production_date = models.DateField(null=True, blank=True)
    readiness_template = models.ForeignKey(
        "initiatives.ReadinessTemplate",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        limit_choices_to={"offered": True},
        help_text="The readiness checklist that applies; empty means the default template.",
    )
    team_members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="TeamMembership",
        related_name="member_of_initiatives",
        blank=True,
    )

    # Ownership. The production owner is the named person; until they accept the handover
    # (`owner_accepted_at` is empty) their ownership is pending.
    production_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_initiatives",
    )
    owner_accepted_at = models.DateTimeField(null=True, blank=True)
    owner_confirmed_at = models.DateTimeField(null=True, blank=True)
    owning_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="initiatives"
    )
    backup_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="backup_initiatives",
    )

    # Derived from the health reports, kept by the scan and by every health push so that
    # dashboards count, filter and sort by it with an index. Empty outside production. Not
    # in the history: the reports themselves are the record.
    health_status = models.CharField(
        max_length=16, choices=HealthStatus.choices, blank=True, default="", editable=False
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at", "health_status"])

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["stage", "stage_entered_at"]),
            # One unit's portfolio: its stages, and how long each has been in its stage.
            models.Index(fields=["business_unit", "stage", "stage_entered_at"]),
            models.Index(fields=["risk_tier"]),
            models.Index(fields=["health_status"]),
            # The ownership_pending filter: few rows, named by a partial index.
            models.Index(
                fields=["production_owner"],
                condition=Q(production_owner__isnull=False, owner_accepted_at__isnull=True),
                name="initiative_owner_pending",
            ),
            *sort_indexes(),  # the list's orders, the default (name, id) among them
            # The governance queue's stale ownership, the least recently confirmed (never
            # first) first: the systems in the stages that need an owner, in that order.
            SortIndex(
                F("owner_confirmed_at").asc(nulls_first=True),
                F("id"),
                condition=Q(stage__in=OWNED_STAGES),
                name="initiative_stale_order",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(stage__in=Stage.values), name="initiative_stage_valid"
            ),
            models.CheckConstraint(
                condition=Q(risk_tier__in=RiskTier.values), name="initiative_risk_tier_valid"
            ),
            models.CheckConstraint(
                condition=Q(health_status__in=["", *HealthStatus.values]),
                name="initiative_health_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(backup_owner__isnull=True)
                | Q(production_owner__isnull=True)
                | ~Q(backup_owner=models.F("production_owner")),
                name="initiative_backup_owner_differs",
                violation_error_message=(
                    "The backup owner must be someone other than the production owner."
                ),
            ),
            models.CheckConstraint(
                condition=Q(owner_accepted_at__isnull=True) | Q(production_owner__isnull=False),
                name="initiative_acceptance_needs_owner",
                violation_error_message="Ownership can only be accepted by a named owner.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("initiative-detail", kwargs={"slug": self.slug})

    @property
    def is_final(self) -> bool:
        """Retired or cancelled: its stage no longer changes."""
        return self.stage in TERMINAL_STAGES

    @property
    def next_confirmation_due(self):
        """When the owner must next say "I still own this" (PORTAL_OWNERSHIP_CONFIRMATION_DAYS
        after the last confirmation); None before any."""
        if self.owner_confirmed_at is None:
            return None
        return self.owner_confirmed_at + timedelta(days=settings.PORTAL_OWNERSHIP_CONFIRMATION_DAYS)

    @property
    def ownership_pending(self) -> bool:
        return self.production_owner_id is not None and self.owner_accepted_at is None


class TeamMembership(models.Model):
    """A contributor: a member of the initiative's team, who may edit it."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="memberships")
    # PROTECT: people are deactivated, never deleted; a deletion would silently drop them
    # from every team they were on.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["initiative", "user"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.initiative}"


class InitiativeLink(models.Model):
    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="links")
    title = models.CharField(max_length=100)
    url = models.URLField(max_length=500)

    history = HistoricalRecords()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class StageTransition(models.Model):
    """Every change of stage, kept for ever (README "Stages and gates")."""

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(max_length=16, choices=Stage.choices)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["initiative", "-at"]),
            # The list's "ever reached" filter: the initiatives that entered or left a stage.
            models.Index(fields=["to_stage", "initiative"]),
            models.Index(fields=["from_stage", "initiative"]),
        ]

    def __str__(self) -> str:
        return f"{self.initiative}: {self.from_stage} → {self.to_stage}"


class InitiativeEvent(models.Model):
    """A readable timeline entry ("Olga accepted ownership"), beside field-level history.

    Stored as a kind plus parameters (ids, codes and the text people typed), never as a
    sentence: `message` is rendered when read by `initiatives.core.events`, so it never goes stale.
    """

    initiative = models.ForeignKey(Initiative, on_delete=models.CASCADE, related_name="events")
    # PROTECT: deleting a person must not make the timeline anonymous (they are deactivated).
    # Empty only for what the portal itself did (the scan, an import without a person).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    params = models.JSONField(
        default=dict,
        blank=True,
        help_text="What the sentence is made of: people as user ids, stages as codes, "
        "notes as typed; {'text': ...} for an old sentence kept as it was.",
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["initiative", "-at"])]

    def __str__(self) -> str:
        return self.message

    @property
    def message(self) -> str:
        """The sentence, with today's names. A page renders its events together
        (`events.render_events`, a fixed number of queries); one event alone renders itself."""
        if "_message" not in self.__dict__:
            from initiatives.core.events import render_events

            render_events([self])
        return self.__dict__["_message"]

    def render_with(self, message: str) -> None:
        self.__dict__["_message"] = message
