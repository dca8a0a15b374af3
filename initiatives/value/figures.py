"""Value realisation: the plan for a quarter and the comparison with what was delivered.
Pure functions, Decimal throughout (README "Value realisation").

Quarters are calendar quarters: Q1 is 1 January to 31 March, Q2 1 April to 30 June, Q3
1 July to 30 September, Q4 1 October to 31 December.

Days in production: a day counts when the system was in production at its start or entered
production on it. The day a system entered production counts; the day it left (back to pilot,
or retired) does not. A system in production from the 46th day of a 92-day quarter was in
production 47 days of it.

The plan for a quarter, line by line (each benefit line, and each run-cost line of the
approved case):

    planned line = annual line ÷ 4 × days in production in the quarter ÷ days in the quarter

that is a quarter of the annual figure, pro-rated by the share of the quarter's days the system
was in production; capacity's annual line is hours × hourly rate, team's is FTE × cost per FTE.
Every line is rounded to the cent half up; totals are sums of the rounded lines, so a page's
columns add up.

Realised, from a report: each line as reported, capacity as hours × hourly rate (rounded to the
cent), run cost = infrastructure + team + overhead.

    net benefit       = benefit − run cost (planned and realised alike)
    variance          = realised − planned (money); variance share = variance ÷ planned, to
                        four places half up, none when the plan is 0
    cumulative        = sums over the quarters *reported* so far (an unreported quarter is left
                        out of both sides, so the variance compares like with like)
    realised payback  = the last day of the first reported quarter whose cumulative realised net
                        benefit covers the case's one-time build cost
    planned payback   = production start + the case's payback months, a month being 365.25 ÷ 12
                        days (rounded to the nearest day); none when the case never pays back
    realised ROI      = (benefit − build − run cost) ÷ (build + run cost), the case's three-year
                        ROI formula over the benefit and run cost of the quarters reported, to
                        four places half up; none when nothing was spent
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise

CENT = Decimal("0.01")
SHARE_PLACES = Decimal("0.0001")
DAYS_PER_MONTH = Decimal("365.25") / 12

# (key, label): the benefit lines and the run-cost lines, in the business case's order.
BENEFIT_LINES = (
    ("revenue_protected", "Revenue protected"),
    ("costs_reduced", "Costs reduced"),
    ("capacity", "Capacity unlocked"),
    ("risk_mitigated", "Risk mitigated"),
)
RUN_COST_LINES = (
    ("infrastructure", "Infrastructure"),
    ("team", "Team"),
    ("overhead", "Overhead"),
)
LINES = BENEFIT_LINES + RUN_COST_LINES


def _d(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Value figures are Decimal, never float.")
    return Decimal(value or 0)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def share(part: Decimal, whole: Decimal) -> Decimal | None:
    return (part / whole).quantize(SHARE_PLACES, ROUND_HALF_UP) if whole else None


# --- Quarters ---------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    quarter: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, label: str) -> "Quarter":
        """ "2025-Q3" → Quarter(2025, 3); ValueError otherwise."""
        year, sep, number = label.upper().partition("-Q")
        if not sep or not year.isdigit() or number not in ("1", "2", "3", "4"):
            raise ValueError(f"'{label}' is not a quarter such as 2025-Q3.")
        return cls(int(year), int(number))

    @property
    def label(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    @property
    def first_day(self) -> date:
        return date(self.year, 3 * self.quarter - 2, 1)

    @property
    def last_day(self) -> date:
        return self.next().first_day - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1

    def next(self) -> "Quarter":
        return (
            Quarter(self.year + 1, 1) if self.quarter == 4 else Quarter(self.year, self.quarter + 1)
        )

    def __str__(self) -> str:
        return self.label


Period = tuple[date, date | None]  # first day in production, first day out of it (or None)


def production_periods(
    transitions: Iterable[tuple[date, str, str]], production: str
) -> list[Period]:
    """The periods in production from an initiative's stage transitions, oldest first, given as
    (day, from stage, to stage): each period from the day it entered production to the day it
    left (exclusive), the last one open (None) while it is still in production."""
    periods: list[Period] = []
    start: date | None = None
    for day, from_stage, to_stage in sorted(transitions, key=lambda t: t[0]):
        if to_stage == production and start is None:
            start = day
        elif from_stage == production and to_stage != production and start is not None:
            periods.append((start, day))
            start = None
    if start is not None:
        periods.append((start, None))
    return periods


def days_in_production(quarter: Quarter, periods: Iterable[Period]) -> int:
    """How many days of `quarter` the system was in production (see the module's rule)."""
    total = 0
    for start, end in periods:
        first = max(start, quarter.first_day)
        stop = min(end or quarter.next().first_day, quarter.next().first_day)
        total += max((stop - first).days, 0)
    return total


def quarters_in_production(periods: list[Period], *, today: date) -> list[Quarter]:
    """The quarters that ended before `today` in which the system was in production at least
    one day, oldest first."""
    if not periods:
        return []
    found, quarter = [], Quarter.of(periods[0][0])
    while quarter.last_day < today:
        if days_in_production(quarter, periods):
            found.append(quarter)
        quarter = quarter.next()
    return found


# --- The plan and the report, line by line ----------------------------------------------------


@dataclass(frozen=True)
class Annual:
    """The approved case's annual lines, its one-time build cost and payback months."""

    lines: dict[str, Decimal]
    build_cost: Decimal
    payback_months: Decimal | None
    currency: str

    @classmethod
    def from_case(cls, case) -> "Annual":
        lines = {
            "revenue_protected": _d(case.revenue_protected),
            "costs_reduced": _d(case.costs_reduced),
            "capacity": _d(case.capacity_hours) * _d(case.hourly_rate),
            "risk_mitigated": _d(case.risk_mitigated),
            "infrastructure": _d(case.infrastructure_cost),
            "team": _d(case.team_fte) * _d(case.cost_per_fte),
            "overhead": _d(case.operational_overhead),
        }
        net = sum(lines[k] for k, _ in BENEFIT_LINES) - sum(lines[k] for k, _ in RUN_COST_LINES)
        build = _d(case.build_cost)
        payback = (build * 12 / net) if net > 0 else None
        return cls(lines=lines, build_cost=build, payback_months=payback, currency=case.currency)


def planned_lines(annual: Annual, quarter: Quarter, production_days: int) -> dict[str, Decimal]:
    """The plan for one quarter, by line: annual ÷ 4 × days in production ÷ days in quarter."""
    return {
        key: cents(value / 4 * production_days / quarter.days)
        for key, value in annual.lines.items()
    }


def realised_lines(report) -> dict[str, Decimal]:
    """A report's lines (a ValueReport or anything with its fields)."""
    return {
        "revenue_protected": cents(_d(report.revenue_protected)),
        "costs_reduced": cents(_d(report.costs_reduced)),
        "capacity": cents(_d(report.capacity_hours) * _d(report.hourly_rate)),
        "risk_mitigated": cents(_d(report.risk_mitigated)),
        "infrastructure": cents(_d(report.infrastructure_cost)),
        "team": cents(_d(report.team_cost)),
        "overhead": cents(_d(report.overhead_cost)),
    }


@dataclass(frozen=True)
class Amounts:
    """One side (planned or realised) of a quarter or a running total."""

    lines: dict[str, Decimal]

    @property
    def benefit(self) -> Decimal:
        return sum((self.lines[k] for k, _ in BENEFIT_LINES), Decimal("0.00"))

    @property
    def run_cost(self) -> Decimal:
        return sum((self.lines[k] for k, _ in RUN_COST_LINES), Decimal("0.00"))

    @property
    def net(self) -> Decimal:
        return self.benefit - self.run_cost

    def __add__(self, other: "Amounts") -> "Amounts":
        return Amounts({k: self.lines[k] + other.lines[k] for k, _ in LINES})

    @classmethod
    def zero(cls) -> "Amounts":
        return cls({k: Decimal("0.00") for k, _ in LINES})


@dataclass(frozen=True)
class Variance:
    planned: Decimal
    realised: Decimal

    @property
    def money(self) -> Decimal:
        return self.realised - self.planned

    @property
    def share(self) -> Decimal | None:
        return share(self.money, self.planned)


@dataclass(frozen=True)
class Compared:
    """Planned against realised: by line, benefit, run cost and net benefit."""

    planned: Amounts
    realised: Amounts | None

    def _variance(self, name: str) -> Variance | None:
        if self.realised is None:
            return None
        return Variance(getattr(self.planned, name), getattr(self.realised, name))

    @property
    def benefit(self) -> Variance | None:
        return self._variance("benefit")

    @property
    def run_cost(self) -> Variance | None:
        return self._variance("run_cost")

    @property
    def net(self) -> Variance | None:
        return self._variance("net")

    def lines(self) -> list[tuple[str, str, Decimal, Decimal | None, Variance | None]]:
        """(key, label, planned, realised, variance) for every line."""
        out = []
        for key, label in LINES:
            planned = self.planned.lines[key]
            realised = self.realised.lines[key] if self.realised else None
            variance = Variance(planned, realised) if realised is not None else None
            out.append((key, label, planned, realised, variance))
        return out


@dataclass(frozen=True)
class QuarterRow:
    quarter: Quarter
    production_days: int
    this_quarter: Compared
    cumulative: Compared | None  # over the quarters reported up to this one; none if unreported

    @property
    def reported(self) -> bool:
        return self.this_quarter.realised is not None


@dataclass(frozen=True)
class Comparison:
    currency: str
    build_cost: Decimal
    production_start: date | None
    rows: list[QuarterRow]
    planned_payback: date | None
    realised_payback: Quarter | None
    realised_roi: Decimal | None
    totals: Compared = field(repr=False)

    @property
    def reported(self) -> list[QuarterRow]:
        return [row for row in self.rows if row.reported]

    @property
    def unreported(self) -> list[QuarterRow]:
        return [row for row in self.rows if not row.reported]

    @property
    def realised_payback_day(self) -> date | None:
        return self.realised_payback.last_day if self.realised_payback else None

    @property
    def payback_variance_days(self) -> int | None:
        """Days the realised payback came before (negative) or after the planned one."""
        if self.realised_payback is None or self.planned_payback is None:
            return None
        return (self.realised_payback.last_day - self.planned_payback).days

    @property
    def payback_days_early(self) -> int | None:
        days = self.payback_variance_days
        return None if days is None else -days


def planned_payback(annual: Annual, start: date | None) -> date | None:
    """The day the case planned to have paid back its build cost: production start + its
    payback months. None without a start, without a payback, or past the calendar's end (a
    case whose net benefit is a few cents a year would pay back in a million years)."""
    if start is None or annual.payback_months is None:
        return None
    days = (annual.payback_months * DAYS_PER_MONTH).quantize(Decimal(1), ROUND_HALF_UP)
    if days > (date.max - start).days:
        return None
    return start + timedelta(days=int(days))


def roi(benefit: Decimal, run_cost: Decimal, build_cost: Decimal) -> Decimal | None:
    spent = build_cost + run_cost
    return share(benefit - spent, spent)


def compare(
    *,
    annual: Annual,
    periods: list[Period],
    reports: Mapping[Quarter, object],
    today: date,
) -> Comparison:
    """Every quarter in production that ended before `today` (and any other quarter reported),
    planned against realised, per quarter and cumulative; the paybacks and the realised ROI."""
    # A report of a quarter not ended by `today` is not judged yet (a scan `--as-of` the past).
    reports = {q: r for q, r in reports.items() if q.last_day < today}
    quarters = sorted(set(quarters_in_production(periods, today=today)) | set(reports))
    rows, running = [], None
    payback: Quarter | None = None
    for quarter in quarters:
        days = days_in_production(quarter, periods)
        planned = Amounts(planned_lines(annual, quarter, days))
        report = reports.get(quarter)
        realised = Amounts(realised_lines(report)) if report is not None else None
        cumulative = None
        if realised is not None:
            running = (
                Compared(planned, realised)
                if running is None
                else Compared(running.planned + planned, running.realised + realised)
            )
            cumulative = running
            if payback is None and running.realised.net >= annual.build_cost:
                payback = quarter
        rows.append(QuarterRow(quarter, days, Compared(planned, realised), cumulative))
    totals = running or Compared(Amounts.zero(), Amounts.zero())
    start = periods[0][0] if periods else None
    return Comparison(
        currency=annual.currency,
        build_cost=cents(annual.build_cost),
        production_start=start,
        rows=rows,
        planned_payback=planned_payback(annual, start),
        realised_payback=payback,
        realised_roi=(
            roi(totals.realised.benefit, totals.realised.run_cost, annual.build_cost)
            if running is not None
            else None
        ),
        totals=totals,
    )


# --- What the flags judge ---------------------------------------------------------------------


def overdue_quarters(
    periods: list[Period], reported: Iterable[Quarter], *, today: date, grace_days: int
) -> list[Quarter]:
    """Quarters in production that ended more than `grace_days` before `today` with no report
    (a quarter ending 30 September with 30 days' grace is overdue from 31 October)."""
    done = set(reported)
    return [
        q
        for q in quarters_in_production(periods, today=today)
        if q not in done and (today - q.last_day).days > grace_days
    ]


def shortfall_run(
    comparison: Comparison, *, share_of_plan: Decimal, quarters: int
) -> list[QuarterRow]:
    """The last `quarters` reported quarters when they are consecutive calendar quarters and in
    each the realised net benefit is below `share_of_plan` × a positive planned net benefit
    (exactly the share is not a shortfall); else an empty list."""
    reported = comparison.reported[-quarters:] if quarters > 0 else []
    if len(reported) < quarters:
        return []
    for before, after in pairwise(reported):
        if before.quarter.next() != after.quarter:
            return []
    for row in reported:
        planned, realised = row.this_quarter.planned.net, row.this_quarter.realised.net
        if planned <= 0 or realised >= planned * share_of_plan:
            return []
    return reported
