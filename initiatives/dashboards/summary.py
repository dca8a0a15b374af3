"""Reads behind the portfolio summary (README "Dashboards"): the funnel, the valley of death,
health and flags, each number with the initiative list it counts."""

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from itertools import pairwise

from django.db import connection
from django.db.models import (
    Case,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils import timezone

from initiatives.business_cases.models import BusinessCase
from initiatives.business_cases.rates import ReportingTotal, to_reporting_currency
from initiatives.business_cases.selectors import (
    PLANNING_STATUSES,
    planned_cases,
    planned_totals,
)
from initiatives.core.choices import (
    FlagKind,
    HealthStatus,
    Stage,
)
from initiatives.dashboards import standings
from initiatives.dashboards.selectors import list_url
from initiatives.dashboards.standings import CALM, FLAG_URGENCY, HEALTH_URGENCY
from initiatives.portfolio.filtersets import HEALTH_FLAG_KINDS, needs_attention
from initiatives.portfolio.lifecycle import FUNNEL, VALLEY
from initiatives.portfolio.models import BusinessUnit, Initiative
from initiatives.readiness.obligations import OutstandingSystem, outstanding_high_risk
from initiatives.regulation.selectors import CATEGORY_FILTER_CHOICES
from initiatives.value import selectors as value_selectors
from initiatives.watch.models import Flag
from initiatives.watch.rules import days_between, stalled_limits
from initiatives.watch.selectors import open_flags

# The flag kinds the portfolio counts: health is counted by status, not by its flags.
PORTFOLIO_FLAG_KINDS = [k for k in FlagKind if k not in HEALTH_FLAG_KINDS]

# How many initiatives "needs attention" names before it links to the full list.
ATTENTION_LIMIT = 10

# How many of the initiatives waiting in POC and pilot the portfolio names, longest first.
VALLEY_WAITING_LIMIT = 5


@dataclass(frozen=True)
class Tally:
    label: str
    key: str
    count: int
    url: str


@dataclass(frozen=True)
class Conversion:
    from_label: str
    to_label: str
    entered: int
    reached: int
    url: str
    entered_url: str

    @property
    def rate(self) -> float | None:
        return self.reached / self.entered if self.entered else None


@dataclass(frozen=True)
class Dwell:
    """How long the initiatives now in a stage have been there, in whole days."""

    stage: str
    label: str
    count: int
    stalled: int
    limit_days: int
    median_days: int | None
    worst_days: int | None
    url: str
    stalled_url: str


@dataclass(frozen=True)
class Attention:
    """An initiative that needs attention, why (in the words of the flags and the health
    status), and since when (its oldest open flag; None when only its health says so and no
    scan has flagged it yet)."""

    initiative: Initiative
    reasons: list[str]
    since: datetime | None


@dataclass(frozen=True)
class PlannedTotal:
    """The planned net annual benefit of `count` initiatives whose cases are in `currency`,
    `approved` of them from an approved case (the others from one awaiting a decision)."""

    currency: str
    amount: Decimal
    count: int
    approved: int


@dataclass(frozen=True)
class Waiting:
    """An initiative in POC or pilot, its days in the stage, and the plan it waits with."""

    initiative: Initiative
    days: int
    case: BusinessCase

    @property
    def planned_net(self) -> Decimal:
        return self.case.planned_net


@dataclass(frozen=True)
class ValleyValue:
    """The value waiting in the valley of death: the planned net annual benefit of the
    initiatives still in POC and pilot, per currency and in the reporting currency, and the
    ones that have waited longest."""

    totals: list[PlannedTotal]
    reporting: ReportingTotal
    waiting: list[Waiting]
    in_valley: int  # initiatives in POC and pilot
    planned: int  # of those, how many have a plan
    without_plan: int  # and how many not (no case submitted, or only rejected ones)
    url: str  # the initiatives in POC and pilot, longest in their stage first


def value_in_valley(
    initiatives: QuerySet[Initiative],
    *,
    as_of: datetime,
    in_valley: int,
    business_unit: str | None = None,
) -> ValleyValue:
    """The planned net annual benefit of `initiatives` now in POC or pilot (each from its
    plan: `business_cases.selectors.planned_cases`), totalled per currency and converted
    with the rates valid on `as_of`'s day, and the `VALLEY_WAITING_LIMIT` that have been
    longest in their stage. `in_valley` is how many are in POC or pilot (counted by the
    caller). Three queries at most, whatever the number of initiatives and cases."""
    cases = planned_cases(initiatives.filter(stage__in=VALLEY))
    # Every valley case is read to total them: kept while no case, stage or unit changes.
    rows = value_selectors.cached_figures(
        f"valley:{business_unit or ''}", timezone.localdate(as_of), lambda: planned_totals(cases)
    )
    totals = [
        PlannedTotal(row["currency"], row["amount"], row["count"], row["approved_count"])
        for row in rows
    ]
    # The longest waiting: read along the (stage_entered_at, name, id) index, the first few
    # in POC or pilot with a plan, then only their plans (not a sort of every valley case).
    oldest = (
        initiatives.filter(stage__in=VALLEY)
        .filter(
            Exists(
                BusinessCase.objects.filter(initiative=OuterRef("pk"), status__in=PLANNING_STATUSES)
            )
        )
        .order_by("stage_entered_at", "name", "pk")
        .values("pk")[:VALLEY_WAITING_LIMIT]
    )
    longest = (
        planned_cases(Initiative.objects.filter(pk__in=oldest))
        .select_related("initiative__business_unit")
        .order_by("initiative__stage_entered_at", "initiative__name", "initiative_id")
    )
    planned = sum(t.count for t in totals)
    return ValleyValue(
        totals=totals,
        reporting=to_reporting_currency(
            {t.currency: t.amount for t in totals}, on=timezone.localdate(as_of)
        ),
        waiting=[
            Waiting(case.initiative, days_between(as_of, case.initiative.stage_entered_at), case)
            for case in (longest if planned else [])
        ],
        in_valley=in_valley,
        planned=planned,
        without_plan=in_valley - planned,
        url=list_url(stage=VALLEY, business_unit=business_unit, ordering="stage_entered_at"),
    )


@dataclass(frozen=True)
class PortfolioSummary:
    as_of: datetime
    business_unit: BusinessUnit | None
    total: int
    stages: list[Tally]
    conversions: list[Conversion]
    valley: list[Dwell]
    flags: list[Tally]
    health: list[Tally]
    production: int
    url: str
    attention: list[Attention] = field(default_factory=list)
    attention_total: int = 0
    attention_url: str = ""
    business_units: list[BusinessUnit] = field(default_factory=list)
    valley_value: ValleyValue | None = None


def _dwell_days(
    queryset: QuerySet[Initiative], count: int, as_of: datetime
) -> tuple[int | None, int | None]:
    """The median and the worst whole days in stage of `queryset` (one stage), read from
    the (stage, stage_entered_at) index: the first row, and the middle one or two (two
    queries, nothing else loaded). Whole days: the median is the mean of two middle rows
    rounded down, never a fraction and never more than the worst."""
    if count == 0:
        return None, None
    ordered = queryset.order_by("stage_entered_at").values_list("stage_entered_at", flat=True)
    lo = (count - 1) // 2
    days = [days_between(as_of, entered) for entered in ordered[lo : count // 2 + 1]]
    return sum(days) // len(days), days_between(as_of, ordered.first())


def _attention_words(initiative: Initiative, flags: list[Flag]) -> list[str]:
    """Why an initiative needs attention: its health status in the words of the health
    tallies, then each open flag by kind (the most urgent first) with the scan's reason."""
    words = []
    if initiative.stage == Stage.PRODUCTION and initiative.health_status in HEALTH_URGENCY:
        health = f"Health {HealthStatus(initiative.health_status).label.lower()}"
        reason = next((f.reason for f in flags if f.kind in HEALTH_FLAG_KINDS), "")
        words.append(f"{health}: {reason}" if reason else health)
    for flag in sorted(
        (f for f in flags if f.kind in FLAG_URGENCY), key=lambda f: FLAG_URGENCY[f.kind]
    ):
        label = flag.get_kind_display()
        words.append(f"{label}: {flag.reason}" if flag.reason else label)
    return words


def ranked_for_attention(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """`initiatives` that need attention (`portfolio.filtersets.needs_attention`), most
    urgent first (`standings.HEALTH_URGENCY`, `standings.FLAG_URGENCY`), the longest-flagged,
    then the longest in its stage, first within a kind; each with `flagged_since` (its
    oldest open flag). Ranked from the flags themselves, a sort of every such initiative:
    what SQLite reads, and what the counters' order is tested against."""
    open_flag = Q(flags__resolved_at__isnull=True)
    flag_rank = Min(
        Case(
            *[When(open_flag, flags__kind=k, then=Value(r)) for k, r in FLAG_URGENCY.items()],
            output_field=IntegerField(),
        )
    )
    health_rank = Case(
        *[
            When(stage=Stage.PRODUCTION, health_status=s, then=Value(r))
            for s, r in HEALTH_URGENCY.items()
        ],
        default=Value(CALM),
        output_field=IntegerField(),
    )
    return (
        initiatives.filter(needs_attention())
        .annotate(
            urgency=Least(Coalesce(flag_rank, Value(CALM)), health_rank),
            flagged_since=Min("flags__opened_at", filter=open_flag),
        )
        .order_by(
            "urgency",
            F("flagged_since").asc(nulls_last=True),
            "stage_entered_at",  # flagged together: the longest in its stage first
            "name",
            "pk",
        )
    )


def needing_attention(
    business_unit: BusinessUnit | None = None, limit: int = ATTENTION_LIMIT
) -> list[Attention]:
    """The `limit` initiatives (of `business_unit`, or all) that most need attention, in the
    order of `ranked_for_attention`. On PostgreSQL the order is the counters' index
    (`Standing`), so the first rows are read without sorting the rest. Two queries: the
    ranked rows, then their open flags."""
    if connection.vendor == "postgresql":
        ranked = Initiative.objects.filter(standing__urgency__isnull=False)
        if business_unit is not None:
            ranked = ranked.filter(standing__business_unit_id=business_unit.pk)
        ranked = ranked.annotate(flagged_since=F("standing__flagged_since")).order_by(
            "standing__urgency",
            F("standing__flagged_since").asc(nulls_last=True),
            "standing__stage_entered_at",
            "standing__name",
            "standing__initiative",
        )
    else:
        ranked = Initiative.objects.all()
        if business_unit is not None:
            ranked = ranked.filter(business_unit=business_unit)
        ranked = ranked_for_attention(ranked)
    rows = list(ranked.select_related("business_unit")[:limit])
    flags: dict[int, list[Flag]] = {}
    for flag in open_flags().filter(initiative__in=[i.pk for i in rows]).order_by("opened_at"):
        flags.setdefault(flag.initiative_id, []).append(flag)
    return [Attention(i, _attention_words(i, flags.get(i.pk, [])), i.flagged_since) for i in rows]


def portfolio_summary(
    *, business_unit: BusinessUnit | None = None, as_of: datetime | None = None
) -> PortfolioSummary:
    """The portfolio's numbers, optionally for one business unit, each with the URL of the
    initiative list that it counts, the initiatives that most need attention, and the value
    waiting in POC and pilot. The numbers are the dashboards' counters (`standings.counts`,
    one query); eleven queries at most, whatever the portfolio's size."""
    as_of = as_of or timezone.now()
    unit = business_unit.name if business_unit else None
    initiatives = Initiative.objects.all()
    if business_unit is not None:
        initiatives = initiatives.filter(business_unit=business_unit)
    numbers = standings.counts(business_unit.pk if business_unit else None)
    limits = stalled_limits()

    valley = []
    for stage in VALLEY:
        count = numbers[f"stage:{stage}"]
        median, worst = _dwell_days(initiatives.filter(stage=stage), count, as_of)
        valley.append(
            Dwell(
                stage=stage,
                label=Stage(stage).label,
                count=count,
                stalled=numbers[f"stalled:{stage}"],
                limit_days=limits[stage],
                median_days=median,
                worst_days=worst,
                url=list_url(stage=stage, business_unit=unit, ordering="stage_entered_at"),
                stalled_url=list_url(stage=stage, flag=FlagKind.STALLED, business_unit=unit),
            )
        )
    health = [
        Tally(
            status.label,
            status.value,
            numbers[f"health:{status.value}"],
            list_url(stage=Stage.PRODUCTION, health=status.value, business_unit=unit),
        )
        for status in HealthStatus
    ]
    if numbers["health:"]:
        health.append(
            Tally(
                "Not yet checked",
                "unchecked",
                numbers["health:"],
                list_url(stage=Stage.PRODUCTION, health="unchecked", business_unit=unit),
            )
        )
    return PortfolioSummary(
        as_of=as_of,
        business_unit=business_unit,
        total=numbers["total"],
        stages=[
            Tally(
                s.label,
                s.value,
                numbers[f"stage:{s.value}"],
                list_url(stage=s.value, business_unit=unit),
            )
            for s in Stage
        ],
        conversions=[
            Conversion(
                from_label=Stage(before).label,
                to_label=Stage(after).label,
                entered=numbers[f"reached:{before}"],
                reached=numbers[f"reached:{after}"],
                url=list_url(reached=after, business_unit=unit),
                entered_url=list_url(reached=before, business_unit=unit),
            )
            for before, after in pairwise(FUNNEL)
        ],
        valley=valley,
        flags=[
            Tally(
                k.label,
                k.value,
                numbers[f"flag:{k.value}"],
                list_url(flag=k.value, business_unit=unit),
            )
            for k in PORTFOLIO_FLAG_KINDS
        ],
        health=health,
        production=numbers[f"stage:{Stage.PRODUCTION}"],
        url=list_url(business_unit=unit),
        attention=needing_attention(business_unit) if numbers["attention"] else [],
        attention_total=numbers["attention"],
        attention_url=list_url(attention="true", business_unit=unit),
        valley_value=value_in_valley(
            initiatives,
            as_of=as_of,
            in_valley=sum(numbers[f"stage:{s}"] for s in VALLEY),
            business_unit=unit,
        ),
    )


@dataclass(frozen=True)
class RegulationSummary:
    """The EU AI Act across the portfolio: how many initiatives in each category (and not
    classified), and the high-risk systems with obligations outstanding."""

    categories: list[Tally]
    outstanding: list[OutstandingSystem]


def regulation_summary(
    *, business_unit: BusinessUnit | None = None, as_of: datetime | None = None
) -> RegulationSummary:
    """Counts by the latest confirmed classification's category, each with the list it
    counts (`?eu_ai_act=`), and the high-risk systems with obligations outstanding, overdue
    first, then by the nearest application date. Two queries, whatever the portfolio."""
    as_of = as_of or timezone.now()
    unit = business_unit.name if business_unit else None
    counts = standings.counts(business_unit.pk if business_unit else None)
    outstanding = [
        system
        for system in outstanding_high_risk(timezone.localdate(as_of))
        if business_unit is None or system.initiative.business_unit_id == business_unit.pk
    ]
    return RegulationSummary(
        categories=[
            Tally(
                str(label),
                value,
                counts[f"eu_ai_act:{value}"],
                list_url(eu_ai_act=value, business_unit=unit),
            )
            for value, label in CATEGORY_FILTER_CHOICES
        ],
        outstanding=outstanding,
    )
