"""Reads behind the portfolio summary (README "Dashboards"): the funnel, the valley of death,
health and flags, each number with the initiative list it counts."""

from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise

from django.db.models import Count, Min, Q, QuerySet
from django.utils import timezone

from initiatives.core.choices import (
    FlagKind,
    HealthStatus,
    Stage,
)
from initiatives.dashboards.selectors import list_url
from initiatives.portfolio.lifecycle import FUNNEL, VALLEY, reached_condition
from initiatives.portfolio.models import BusinessUnit, Initiative
from initiatives.watch.rules import days_between, stalled_limits
from initiatives.watch.selectors import open_flag_counts_by_kind, open_flags


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
    median_days: float | None
    worst_days: int | None
    url: str
    stalled_url: str


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
    business_units: list[BusinessUnit] = field(default_factory=list)


def _median_days(queryset: QuerySet[Initiative], count: int, as_of: datetime) -> float | None:
    """The median whole days in stage of `queryset` (one stage), read as the middle one or
    two rows of the (stage, stage_entered_at) index: one query, nothing loaded but them.
    Whole days, like the worst, so the median never exceeds the worst."""
    if count == 0:
        return None
    lo = (count - 1) // 2
    middle = list(
        queryset.order_by("stage_entered_at").values_list("stage_entered_at", flat=True)[
            lo : count // 2 + 1
        ]
    )
    days = [days_between(as_of, entered) for entered in middle]
    return sum(days) / len(days)


def portfolio_summary(
    *, business_unit: BusinessUnit | None = None, as_of: datetime | None = None
) -> PortfolioSummary:
    """The portfolio's numbers, optionally for one business unit, each with the URL of the
    initiative list that it counts. Five queries, whatever the portfolio's size."""
    as_of = as_of or timezone.now()
    unit = business_unit.name if business_unit else None
    initiatives = Initiative.objects.all()
    flags = open_flags()
    if business_unit is not None:
        initiatives = initiatives.filter(business_unit=business_unit)
        flags = flags.filter(initiative__business_unit=business_unit)

    aggregates = {f"stage_{s}": Count("pk", filter=Q(stage=s)) for s in Stage.values}
    aggregates |= {f"reached_{s}": Count("pk", filter=reached_condition(s)) for s in FUNNEL}
    aggregates |= {f"entered_{s}": Min("stage_entered_at", filter=Q(stage=s)) for s in VALLEY}
    # Stalled is counted from the scan's open flags, so it matches the list it links to.
    stalled = open_flags().filter(kind=FlagKind.STALLED)
    aggregates |= {
        f"stalled_{s}": Count("pk", filter=Q(stage=s, pk__in=stalled.values("initiative_id")))
        for s in VALLEY
    }
    numbers = initiatives.aggregate(total=Count("pk"), **aggregates)

    flag_counts = open_flag_counts_by_kind(flags)
    health_counts = dict(
        initiatives.filter(stage=Stage.PRODUCTION)
        .values_list("health_status")
        .annotate(n=Count("pk"))
        .values_list("health_status", "n")
    )
    limits = stalled_limits()

    valley = []
    for stage in VALLEY:
        count = numbers[f"stage_{stage}"]
        valley.append(
            Dwell(
                stage=stage,
                label=Stage(stage).label,
                count=count,
                stalled=numbers[f"stalled_{stage}"],
                limit_days=limits[stage],
                median_days=_median_days(initiatives.filter(stage=stage), count, as_of),
                worst_days=days_between(as_of, numbers[f"entered_{stage}"]),
                url=list_url(stage=stage, business_unit=unit, ordering="stage_entered_at"),
                stalled_url=list_url(stage=stage, flag=FlagKind.STALLED, business_unit=unit),
            )
        )
    production = numbers[f"stage_{Stage.PRODUCTION}"]
    health = [
        Tally(
            status.label,
            status.value,
            health_counts.get(status.value, 0),
            list_url(stage=Stage.PRODUCTION, health=status.value, business_unit=unit),
        )
        for status in HealthStatus
    ]
    unchecked = health_counts.get("", 0)
    if unchecked:
        health.append(
            Tally(
                "Not yet checked",
                "unchecked",
                unchecked,
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
                numbers[f"stage_{s.value}"],
                list_url(stage=s.value, business_unit=unit),
            )
            for s in Stage
        ],
        conversions=[
            Conversion(
                from_label=Stage(before).label,
                to_label=Stage(after).label,
                entered=numbers[f"reached_{before}"],
                reached=numbers[f"reached_{after}"],
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
                flag_counts.get(k.value, 0),
                list_url(flag=k.value, business_unit=unit),
            )
            for k in FlagKind
        ],
        health=health,
        production=production,
        url=list_url(business_unit=unit),
    )
