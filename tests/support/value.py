"""The issue's worked example, arranged in the database: an approved case of 450,000 benefit
and 270,000 run cost a year with a 240,000 build cost, in production from 15 August 2025
(the 46th day of Q3 2025, a 92-day quarter). Used by the value tests and the browser journey."""

from datetime import UTC, date, datetime
from decimal import Decimal

from initiatives.core.choices import BusinessCaseStatus, Stage
from tests.factories import (
    BusinessCaseFactory,
    InitiativeFactory,
    StageTransitionFactory,
    UserFactory,
    ValueReportFactory,
)

PRODUCTION_START = date(2025, 8, 15)

# Annual lines: benefit 200,000 + 100,000 + 2,000 h × 50 + 50,000 = 450,000;
# run cost 60,000 + 1.5 FTE × 120,000 + 30,000 = 270,000.
CASE = {
    "currency": "EUR",
    "revenue_protected": Decimal("200000"),
    "costs_reduced": Decimal("100000"),
    "capacity_hours": Decimal("2000"),
    "hourly_rate": Decimal("50"),
    "risk_mitigated": Decimal("50000"),
    "build_cost": Decimal("240000"),
    "infrastructure_cost": Decimal("60000"),
    "team_fte": Decimal("1.5"),
    "cost_per_fte": Decimal("120000"),
    "operational_overhead": Decimal("30000"),
}

FIGURES = (
    "revenue_protected",
    "costs_reduced",
    "capacity_hours",
    "hourly_rate",
    "risk_mitigated",
    "infrastructure_cost",
    "team_cost",
    "overhead_cost",
)
# What the system delivered: (year, quarter) → the report's figures, in FIGURES' order.
REPORTS = {
    quarter: dict(zip(FIGURES, values, strict=True))
    for quarter, values in {
        (2025, 3): (20000, 10000, 300, 50, 5000, 8000, 10000, 2000),
        (2025, 4): (50000, 25000, 500, 50, 10000, 15000, 30000, 5000),
        (2026, 1): (55000, 30000, 500, 50, 10000, 15000, 30000, 5000),
        (2026, 2): (60000, 35000, 600, 50, 15000, 15000, 30000, 5000),
    }.items()
}


def production_system(*, owner=None, sponsor=None, start: date = PRODUCTION_START, **kwargs):
    """An initiative in production since `start` (a recorded transition), its owner accepted,
    with the worked example's case approved."""
    owner = owner or UserFactory()
    moment = datetime(start.year, start.month, start.day, 12, tzinfo=UTC)
    initiative = InitiativeFactory(
        stage=Stage.PRODUCTION,
        stage_entered_at=moment,
        production_owner=owner,
        owner_accepted_at=moment,
        owner_confirmed_at=moment,
        sponsor=sponsor,
        **kwargs,
    )
    StageTransitionFactory(
        initiative=initiative, from_stage=Stage.PILOT, to_stage=Stage.PRODUCTION, at=moment
    )
    BusinessCaseFactory(initiative=initiative, status=BusinessCaseStatus.APPROVED, **CASE)
    return initiative


def report(initiative, year: int, quarter: int, **figures):
    values = {k: Decimal(str(v)) for k, v in figures.items()}
    return ValueReportFactory(
        initiative=initiative,
        year=year,
        quarter=quarter,
        reported_by=initiative.production_owner,
        **values,
    )
