"""Reads of value realisation (README "Value realisation"): an initiative's reports and its
comparison with the plan, the quarters owners must report, the portfolio's totals and what the
value flags judge. Each function issues a fixed number of queries, whatever the number of
initiatives and reports: the approved cases, the stage transitions and the reports are read in
one query each and matched in Python."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from initiatives.business_cases.models import BusinessCase
from initiatives.business_cases.rates import ReportingTotal, to_reporting_currency
from initiatives.core.choices import BusinessCaseStatus, Stage
from initiatives.portfolio.models import Initiative, StageTransition
from initiatives.value import cache, figures
from initiatives.value.figures import Amounts, Comparison, Quarter
from initiatives.value.models import ValueReport

# Stages whose systems report value: in production, or retired after it (their last quarters).
REPORTING_STAGES = (Stage.PRODUCTION, Stage.RETIRED)


def today(as_of: datetime | None = None) -> date:
    """The portal's date (PORTAL_TIME_ZONE) at `as_of` (default now)."""
    return timezone.localdate(as_of or timezone.now())


def value_reports() -> QuerySet[ValueReport]:
    """Value reports in quarter order, with who reported them."""
    return ValueReport.objects.select_related("reported_by", "initiative").order_by(
        "year", "quarter"
    )


def report_history(initiative: Initiative, limit: int = 100) -> list:
    """Every saved version of the initiative's reports, newest first (the corrections)."""
    return list(
        ValueReport.history.filter(initiative_id=initiative.pk)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")[:limit]
    )


def approved_cases(initiative_ids: Iterable[int]) -> dict[int, BusinessCase]:
    """Each initiative's current approved case (its latest approved version), by initiative
    id; one query. An initiative without one is absent."""
    latest = (
        BusinessCase.objects.filter(
            initiative=OuterRef("initiative"), status=BusinessCaseStatus.APPROVED
        )
        .order_by("-version")
        .values("pk")[:1]
    )
    cases = BusinessCase.objects.filter(initiative_id__in=list(initiative_ids), pk=Subquery(latest))
    return {case.initiative_id: case for case in cases}


def periods_of(initiatives: Iterable[Initiative]) -> dict[int, list[figures.Period]]:
    """Each initiative's periods in production from its stage transitions (one query). One
    in production with no recorded transition into it (an imported system) is in production
    since it entered its stage."""
    initiatives = list(initiatives)
    rows = StageTransition.objects.filter(
        Q(to_stage=Stage.PRODUCTION) | Q(from_stage=Stage.PRODUCTION),
        initiative_id__in=[i.pk for i in initiatives],
    ).values_list("initiative_id", "at", "from_stage", "to_stage")
    transitions = defaultdict(list)
    for pk, at, from_stage, to_stage in rows:
        transitions[pk].append((timezone.localdate(at), from_stage, to_stage))
    periods = {}
    for initiative in initiatives:
        found = figures.production_periods(transitions.get(initiative.pk, []), Stage.PRODUCTION)
        if not found and initiative.stage == Stage.PRODUCTION:
            found = [(timezone.localdate(initiative.stage_entered_at), None)]
        periods[initiative.pk] = found
    return periods


def reports_of(initiative_ids: Iterable[int]) -> dict[int, dict[Quarter, ValueReport]]:
    """Every report of these initiatives by initiative and quarter (one query)."""
    found: dict[int, dict[Quarter, ValueReport]] = defaultdict(dict)
    for report in ValueReport.objects.filter(initiative_id__in=list(initiative_ids)):
        found[report.initiative_id][Quarter(report.year, report.quarter)] = report
    return found


def comparisons(
    initiatives: Iterable[Initiative], *, on: date | None = None
) -> dict[int, Comparison]:
    """Planned against realised for each initiative with an approved case, by initiative id,
    over the quarters ended before `on` (default today). Three queries for any number."""
    initiatives = list(initiatives)
    on = on or today()
    ids = [i.pk for i in initiatives]
    cases = approved_cases(ids)
    periods = periods_of(i for i in initiatives if i.pk in cases)
    reports = reports_of(cases)
    return {
        pk: figures.compare(
            annual=figures.Annual.from_case(case),
            periods=periods.get(pk, []),
            reports=reports.get(pk, {}),
            today=on,
        )
        for pk, case in cases.items()
    }


def comparison_for(initiative: Initiative, *, on: date | None = None) -> Comparison | None:
    """One initiative's comparison; None without an approved business case."""
    return comparisons([initiative], on=on).get(initiative.pk)


def reporting_initiatives() -> QuerySet[Initiative]:
    """Initiatives that report value: in production or retired (with their unit)."""
    return Initiative.objects.filter(stage__in=REPORTING_STAGES).select_related("business_unit")


# --- My work ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class QuarterDue:
    initiative: Initiative
    quarter: Quarter
    overdue: bool


def quarters_to_report(user, *, on: date | None = None, limit: int = 50) -> list[QuarterDue]:
    """The ended quarters without a report of the systems `user` owns (accepted production
    owner or backup owner), oldest first; `overdue` past PORTAL_VALUE_REPORT_GRACE_DAYS."""
    on = on or today()
    owned = reporting_initiatives().filter(
        Q(production_owner=user, owner_accepted_at__isnull=False) | Q(backup_owner=user)
    )
    found = []
    owned = list(owned)
    cases = approved_cases(i.pk for i in owned)
    owned = [i for i in owned if i.pk in cases]
    periods = periods_of(owned)
    reports = reports_of(i.pk for i in owned)
    grace = settings.PORTAL_VALUE_REPORT_GRACE_DAYS
    for initiative in owned:
        done = reports.get(initiative.pk, {})
        for quarter in figures.quarters_in_production(periods[initiative.pk], today=on):
            if quarter not in done:
                overdue = (on - quarter.last_day).days > grace
                found.append(QuarterDue(initiative, quarter, overdue))
    found.sort(key=lambda due: (due.quarter, due.initiative.name))
    return found[:limit]


# --- The portfolio ----------------------------------------------------------------------------


@dataclass
class UnitValue:
    """Promised against delivered for one business unit in one currency, over the quarters
    its systems reported."""

    business_unit: str
    currency: str
    systems: int = 0
    quarters_reported: int = 0
    quarters_unreported: int = 0
    planned: Amounts = field(default_factory=Amounts.zero)
    realised: Amounts = field(default_factory=Amounts.zero)

    @property
    def net_variance(self) -> figures.Variance:
        return figures.Variance(self.planned.net, self.realised.net)

    @property
    def benefit_variance(self) -> figures.Variance:
        return figures.Variance(self.planned.benefit, self.realised.benefit)


@dataclass(frozen=True)
class PortfolioValue:
    units: list[UnitValue]
    totals: dict[str, UnitValue]  # by currency
    on: date

    @property
    def currency_totals(self) -> dict[str, Decimal]:
        """Realised net benefit by currency (what a reporting-currency total converts)."""
        return {currency: row.realised.net for currency, row in self.totals.items()}

    @cached_property
    def in_reporting_currency(self) -> "ReportingValue":
        """Promised and delivered net benefit in PORTAL_REPORTING_CURRENCY, at each currency's
        latest rate on or before `on` (README "Reporting currency"); no query when every
        total is in the reporting currency already, else one for each."""
        return ReportingValue(
            planned=to_reporting_currency(
                {c: row.planned.net for c, row in self.totals.items()}, on=self.on
            ),
            realised=to_reporting_currency(self.currency_totals, on=self.on),
        )


@dataclass(frozen=True)
class ReportingValue:
    planned: ReportingTotal
    realised: ReportingTotal


def cached_figures(name: str, on: date, compute):
    """`compute()` of figures made of value reports, business cases, initiatives, stage
    transitions and exchange rates, kept until one of them changes or the day does
    (`value.cache`): one query when kept."""
    return cache.cached(name, on, cache.version(), compute)


def portfolio_value(*, on: date | None = None, business_unit: str = "") -> PortfolioValue:
    """Promised (planned) against delivered (realised) value by business unit and currency,
    over the quarters reported by production and retired systems; totals per currency. Read
    from the cache while nothing it is made of has changed (`cached_figures`), else computed
    in a fixed number of queries (five), whatever the number of initiatives and reports."""
    on = on or today()
    return cached_figures(
        f"portfolio_value:{business_unit}", on, lambda: _portfolio_value(on, business_unit)
    )


def _portfolio_value(on: date, business_unit: str) -> PortfolioValue:
    initiatives = reporting_initiatives()
    if business_unit:
        initiatives = initiatives.filter(business_unit__name=business_unit)
    initiatives = list(initiatives)
    found = comparisons(initiatives, on=on)
    units: dict[tuple[str, str], UnitValue] = {}
    totals: dict[str, UnitValue] = {}
    for initiative in sorted(initiatives, key=lambda i: i.business_unit.name):
        comparison = found.get(initiative.pk)
        if comparison is None:
            continue
        key = (initiative.business_unit.name, comparison.currency)
        unit = units.setdefault(key, UnitValue(*key))
        total = totals.setdefault(comparison.currency, UnitValue("All", comparison.currency))
        for row in (unit, total):
            row.systems += 1
            row.quarters_reported += len(comparison.reported)
            row.quarters_unreported += len(comparison.unreported)
            row.planned = row.planned + comparison.totals.planned
            row.realised = row.realised + comparison.totals.realised
    return PortfolioValue(
        units=sorted(units.values(), key=lambda u: (u.business_unit, u.currency)),
        totals=dict(sorted(totals.items())),
        on=on,
    )


# --- What the flags judge ---------------------------------------------------------------------


def unreported(as_of: datetime) -> dict[int, list[Quarter]]:
    """Production and retired systems with an approved case and quarters in production that
    ended more than PORTAL_VALUE_REPORT_GRACE_DAYS before `as_of` without a report, with those
    quarters (oldest first). Four queries for the whole portfolio."""
    on = today(as_of)
    initiatives = list(reporting_initiatives())
    cases = approved_cases(i.pk for i in initiatives)
    initiatives = [i for i in initiatives if i.pk in cases]
    periods = periods_of(initiatives)
    reports = reports_of(cases)
    grace = settings.PORTAL_VALUE_REPORT_GRACE_DAYS
    found = {}
    for initiative in initiatives:
        late = figures.overdue_quarters(
            periods[initiative.pk], reports.get(initiative.pk, {}), today=on, grace_days=grace
        )
        if late:
            found[initiative.pk] = late
    return found


def shortfalls(as_of: datetime) -> dict[int, list[figures.QuarterRow]]:
    """Systems whose realised net benefit was below PORTAL_VALUE_SHORTFALL_SHARE of plan in
    each of their last PORTAL_VALUE_SHORTFALL_QUARTERS reported, consecutive quarters, with
    those quarters. Four queries for the whole portfolio."""
    found = comparisons(reporting_initiatives(), on=today(as_of))
    share = Decimal(str(settings.PORTAL_VALUE_SHORTFALL_SHARE))
    wanted = settings.PORTAL_VALUE_SHORTFALL_QUARTERS
    runs = {}
    for pk, comparison in found.items():
        run = figures.shortfall_run(comparison, share_of_plan=share, quarters=wanted)
        if run:
            runs[pk] = run
    return runs
