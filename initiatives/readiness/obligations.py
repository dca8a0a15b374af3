"""EU AI Act obligations as readiness milestones (README "Regulation").

A confirmed classification (an `Outcome`) decides which obligations apply to an initiative:
`choose` is that rule, pure; `obligations_apply` writes it as the initiative's
`ApplicableObligation` rows. Each obligation is a milestone of the `eu-ai-act` template, so
once it applies it is on the initiative's checklist (`scoring.checklist`), required for
production, recorded, evidenced and waived like any other milestone. What was recorded
against an obligation stays when a re-classification removes it, and counts again if a
later one brings it back.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from initiatives.core import permissions
from initiatives.core.choices import EventKind, ObligationRole, ObligationScope, Stage
from initiatives.core.writes import initiative_event_create, lock_initiative, require
from initiatives.portfolio.models import Initiative
from initiatives.readiness.models import (
    ApplicableObligation,
    ApplicationDate,
    MilestoneRecord,
    Obligation,
)
from initiatives.readiness.scoring import SATISFIED
from initiatives.regulation.outcome import BOTH, HIGH_RISK, Outcome

# --- The rule, pure ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    """What an obligation says about whom it binds (the `Obligation` row, as plain data)."""

    milestone_id: int
    article: str
    applies_to: str
    role: str = ObligationRole.ANY
    paragraph: str = ""
    regime: str | None = None  # None: the high-risk basis's date


@dataclass(frozen=True)
class Chosen:
    milestone_id: int
    article: str
    regime: str


def binds(terms: Terms, outcome: Outcome) -> bool:
    """Whether the obligation `terms` describes binds a system classified as `outcome`."""
    if terms.role != ObligationRole.ANY and outcome.role not in (terms.role, BOTH):
        return False
    high_risk = outcome.category == HIGH_RISK
    return {
        ObligationScope.EVERYONE: True,
        ObligationScope.HIGH_RISK: high_risk,
        ObligationScope.FUNDAMENTAL_RIGHTS: high_risk and outcome.fundamental_rights_assessment,
        ObligationScope.TRANSPARENCY: terms.paragraph in outcome.transparency,
        ObligationScope.GPAI: outcome.gpai_provider,
    }.get(terms.applies_to, False)


def choose(outcome: Outcome, obligations: Iterable[Terms]) -> list[Chosen]:
    """The obligations that bind a system classified as `outcome`, each with the regime
    whose date it applies from: its own, or for the high-risk duties the system's basis
    (Annex III or Annex I). In the order given."""
    chosen = []
    for terms in obligations:
        if not binds(terms, outcome):
            continue
        regime = terms.regime
        if regime is None:
            if not outcome.high_risk_basis:
                raise ValueError(
                    f"{terms.article} takes the date of the high-risk basis, and this "
                    "classification names none (Annex I or Annex III)."
                )
            regime = outcome.high_risk_basis
        chosen.append(Chosen(terms.milestone_id, terms.article, regime))
    return chosen


# --- The service ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Applied:
    """What `obligations_apply` changed, by article, in checklist order."""

    added: list[str]
    removed: list[str]
    kept: list[str]


def shipped_terms() -> list[Terms]:
    """Every obligation whose milestone is active, as plain data (one query)."""
    rows = (
        Obligation.objects.filter(milestone__active=True)
        .select_related("application_date")
        .order_by("milestone__order", "milestone__key")
    )
    return [
        Terms(
            milestone_id=o.milestone_id,
            article=o.article,
            applies_to=o.applies_to,
            role=o.role,
            paragraph=o.paragraph,
            regime=o.application_date.regime if o.application_date else None,
        )
        for o in rows
    ]


@transaction.atomic
def obligations_apply(
    *, initiative: Initiative, outcome: Outcome, actor: AbstractBaseUser
) -> Applied:
    """Make the obligations that bind `outcome` the initiative's applicable obligations,
    replacing the previous set (a governance reviewer confirms a classification; this is its
    consequence). Set-based, a fixed number of queries; what was recorded against any
    milestone is kept. Records a timeline event naming the obligations added and removed,
    when any were."""
    initiative = lock_initiative(initiative)
    require(
        permissions.is_governance(actor),
        "Only a governance reviewer may apply a classification's obligations.",
    )
    chosen = choose(outcome, shipped_terms())
    regimes = {c.regime for c in chosen}
    dates = dict(ApplicationDate.objects.filter(regime__in=regimes).values_list("regime", "pk"))
    unknown = regimes - set(dates)
    if unknown:
        raise ValueError(f"No application date is set up for: {', '.join(sorted(unknown))}.")
    wanted = {c.milestone_id: (c.article, dates[c.regime]) for c in chosen}
    current = {
        a.milestone_id: a
        for a in ApplicableObligation.objects.filter(initiative=initiative).select_related(
            "milestone__obligation"
        )
    }
    removed = [a for milestone_id, a in current.items() if milestone_id not in wanted]
    moved = [
        a
        for milestone_id, a in current.items()
        if milestone_id in wanted and a.application_date_id != wanted[milestone_id][1]
    ]
    if removed:
        ApplicableObligation.objects.filter(pk__in=[a.pk for a in removed]).delete()
    for a in moved:
        a.application_date_id = wanted[a.milestone_id][1]
    if moved:
        ApplicableObligation.objects.bulk_update(moved, ["application_date"])
    added = [m for m in wanted if m not in current]
    ApplicableObligation.objects.bulk_create(
        ApplicableObligation(
            initiative=initiative, milestone_id=m, application_date_id=wanted[m][1]
        )
        for m in added
    )
    applied = Applied(
        added=[wanted[m][0] for m in added],
        removed=[a.milestone.obligation.article for a in removed],
        kept=[wanted[m][0] for m in wanted if m in current],
    )
    if applied.added or applied.removed:
        initiative_event_create(
            initiative=initiative,
            actor=actor,
            kind=EventKind.OBLIGATIONS_APPLIED,
            category=outcome.category,
            added=applied.added,
            removed=applied.removed,
        )
    return applied


# --- Reads ------------------------------------------------------------------------------------


def outstanding(as_of_day: date | None = None) -> QuerySet[ApplicableObligation]:
    """Applicable obligations whose milestone is active and neither done nor waived; with
    `as_of_day`, only those already applying on that day."""
    satisfied = MilestoneRecord.objects.filter(
        initiative=OuterRef("initiative"), milestone=OuterRef("milestone"), status__in=SATISFIED
    )
    rows = ApplicableObligation.objects.filter(milestone__active=True).exclude(Exists(satisfied))
    if as_of_day is not None:
        rows = rows.filter(application_date__applies_from__lte=as_of_day)
    return rows


@dataclass(frozen=True)
class OutstandingSystem:
    initiative: Initiative
    outstanding: int  # obligations neither done nor waived
    overdue: int  # of which already applying
    nearest: date  # the earliest date among them (past when some are overdue)


LIVE_STAGES = (Stage.IDEA, Stage.POC, Stage.PILOT, Stage.PRODUCTION)


def outstanding_high_risk(as_of: date) -> list[OutstandingSystem]:
    """The high-risk systems (not retired or cancelled) with obligations outstanding, each
    with how many, how many already apply on `as_of`, and the nearest application date
    among them; overdue first, then by that date. One query, whatever the portfolio."""
    mine = outstanding().filter(initiative=OuterRef("pk")).order_by().values("initiative")

    def aggregate(expression, rows=mine):
        return Subquery(rows.annotate(value=expression).values("value")[:1])

    high_risk = ApplicableObligation.objects.filter(
        initiative=OuterRef("pk"), milestone__obligation__applies_to=ObligationScope.HIGH_RISK
    )
    initiatives = (
        Initiative.objects.filter(Exists(high_risk), stage__in=LIVE_STAGES)
        .annotate(
            obligations_outstanding=Coalesce(
                aggregate(Count("pk")), 0, output_field=IntegerField()
            ),
            obligations_overdue=Coalesce(
                aggregate(Count("pk", filter=Q(application_date__applies_from__lte=as_of))),
                0,
                output_field=IntegerField(),
            ),
            obligations_nearest=aggregate(Min("application_date__applies_from")),
        )
        .filter(obligations_outstanding__gt=0)
        .order_by("-obligations_overdue", "obligations_nearest", "name", "pk")
    )
    return [
        OutstandingSystem(
            initiative=i,
            outstanding=i.obligations_outstanding,
            overdue=i.obligations_overdue,
            nearest=i.obligations_nearest,
        )
        for i in initiatives
    ]
