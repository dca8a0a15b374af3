"""The plan for a quarter and the comparison, on the issue's worked example, to the cent."""

from datetime import date
from decimal import Decimal

import pytest

from initiatives.value import figures, selectors
from initiatives.value.figures import Quarter
from tests.support.value import REPORTS, production_system, report

D = Decimal


@pytest.fixture
def worked_example(db):
    initiative = production_system()
    for (year, quarter), values in REPORTS.items():
        report(initiative, year, quarter, **values)
    # As of 1 July 2026: Q3 2025 to Q2 2026 have ended, all four reported.
    return selectors.comparison_for(initiative, on=date(2026, 7, 1))


def test_worked_example_plan_per_quarter_pro_rated_by_days_in_production(worked_example):
    rows = worked_example.rows
    assert [r.quarter.label for r in rows] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    # In production from 15 August, the 46th day of Q3 (31 July days + 15): days 46 to 92.
    assert [(r.production_days, r.quarter.days) for r in rows] == [
        (47, 92),
        (92, 92),
        (90, 90),
        (91, 91),
    ]
    # Q3 2025, each line annual ÷ 4 × 47 ÷ 92, rounded to the cent half up:
    #   revenue 200,000 ÷ 4 = 50,000 × 47/92 = 25,543.478…  → 25,543.48
    #   costs   100,000 ÷ 4 = 25,000 × 47/92 = 12,771.739…  → 12,771.74
    #   capacity 2,000 h × 50 = 100,000 → 12,771.74;  risk 50,000 → 6,385.869… → 6,385.87
    #   benefit 25,543.48 + 12,771.74 + 12,771.74 + 6,385.87 = 57,472.83
    #   infra 60,000 → 7,663.043… → 7,663.04;  team 1.5 × 120,000 = 180,000 → 22,989.130…
    #   → 22,989.13;  overhead 30,000 → 3,831.521… → 3,831.52
    #   run cost 7,663.04 + 22,989.13 + 3,831.52 = 34,483.69;  net 57,472.83 − 34,483.69
    #   = 22,989.14
    q3 = rows[0].this_quarter
    assert q3.planned.lines == {
        "revenue_protected": D("25543.48"),
        "costs_reduced": D("12771.74"),
        "capacity": D("12771.74"),
        "risk_mitigated": D("6385.87"),
        "infrastructure": D("7663.04"),
        "team": D("22989.13"),
        "overhead": D("3831.52"),
    }
    assert (q3.planned.benefit, q3.planned.run_cost, q3.planned.net) == (
        D("57472.83"),
        D("34483.69"),
        D("22989.14"),
    )
    # A whole quarter is a quarter of the year: 112,500 benefit, 67,500 run cost, 45,000 net.
    for row in rows[1:]:
        planned = row.this_quarter.planned
        assert (planned.benefit, planned.run_cost, planned.net) == (
            D("112500.00"),
            D("67500.00"),
            D("45000.00"),
        )


def test_worked_example_realised_and_variances_per_quarter(worked_example):
    rows = worked_example.rows
    # Realised: Q3 benefit 20,000 + 10,000 + 300 h × 50 + 5,000 = 50,000, run 8,000 +
    # 10,000 + 2,000 = 20,000, net 30,000; Q4 110,000 − 50,000 = 60,000; Q1 120,000 − 50,000
    # = 70,000; Q2 140,000 − 50,000 = 90,000.
    assert [r.this_quarter.realised.benefit for r in rows] == [
        D("50000.00"),
        D("110000.00"),
        D("120000.00"),
        D("140000.00"),
    ]
    assert [r.this_quarter.realised.net for r in rows] == [
        D("30000.00"),
        D("60000.00"),
        D("70000.00"),
        D("90000.00"),
    ]
    # Net variance: 30,000 − 22,989.14 = 7,010.86, ÷ 22,989.14 = 0.30497… → 0.3050;
    # 60,000 − 45,000 = 15,000 (0.3333); 25,000 (0.5556); 45,000 (1.0000).
    assert [(r.this_quarter.net.money, r.this_quarter.net.share) for r in rows] == [
        (D("7010.86"), D("0.3050")),
        (D("15000.00"), D("0.3333")),
        (D("25000.00"), D("0.5556")),
        (D("45000.00"), D("1.0000")),
    ]
    # Benefit variance in Q3: 50,000 − 57,472.83 = −7,472.83, ÷ 57,472.83 = −0.13002 → −0.1300.
    q3 = rows[0].this_quarter
    assert (q3.benefit.money, q3.benefit.share) == (D("-7472.83"), D("-0.1300"))
    # By line in Q3: revenue 20,000 − 25,543.48 = −5,543.48 (−0.2170).
    revenue = q3.lines()[0]
    assert revenue[0] == "revenue_protected"
    assert (revenue[4].money, revenue[4].share) == (D("-5543.48"), D("-0.2170"))


def test_worked_example_cumulative_payback_and_roi(worked_example):
    rows = worked_example.rows
    # Cumulative planned net: 22,989.14; + 45,000 = 67,989.14; 112,989.14; 157,989.14.
    # Cumulative realised net: 30,000; 90,000; 160,000; 250,000.
    assert [(r.cumulative.planned.net, r.cumulative.realised.net) for r in rows] == [
        (D("22989.14"), D("30000.00")),
        (D("67989.14"), D("90000.00")),
        (D("112989.14"), D("160000.00")),
        (D("157989.14"), D("250000.00")),
    ]
    # Cumulative variance: 250,000 − 157,989.14 = 92,010.86, ÷ 157,989.14 = 0.58239… → 0.5824.
    totals = worked_example.totals
    assert (totals.net.money, totals.net.share) == (D("92010.86"), D("0.5824"))
    # Realised payback: cumulative net first covers the 240,000 build cost in Q2 2026
    # (160,000 after Q1, 250,000 after Q2): the end of that quarter, 30 June 2026.
    assert worked_example.realised_payback == Quarter(2026, 2)
    assert worked_example.realised_payback_day == date(2026, 6, 30)
    # Planned payback: 12 × 240,000 ÷ (450,000 − 270,000) = 16 months = 16 × 365.25 ÷ 12
    # = 487 days after 15 August 2025: 15 December 2026; realised 168 days before plan.
    assert worked_example.planned_payback == date(2026, 12, 15)
    assert worked_example.payback_variance_days == -168
    # Realised ROI over the four quarters: benefit 420,000, run cost 170,000, build 240,000:
    # (420,000 − 240,000 − 170,000) ÷ (240,000 + 170,000) = 10,000 ÷ 410,000 = 0.02439 → 0.0244.
    assert worked_example.realised_roi == D("0.0244")


def test_a_retired_system_is_planned_until_the_day_it_left_production():
    # In production 15 August 2025 to 1 November 2025 (retired that day, which does not count).
    periods = figures.production_periods(
        [
            (date(2025, 8, 15), "pilot", "production"),
            (date(2025, 11, 1), "production", "retired"),
        ],
        "production",
    )
    assert periods == [(date(2025, 8, 15), date(2025, 11, 1))]
    assert figures.days_in_production(Quarter(2025, 4), periods) == 31
    assert figures.quarters_in_production(periods, today=date(2026, 6, 1)) == [
        Quarter(2025, 3),
        Quarter(2025, 4),
    ]


def test_money_is_never_a_float():
    with pytest.raises(TypeError):
        figures.Annual.from_case(type("Case", (), {"revenue_protected": 1.5, "currency": "EUR"})())


def test_a_quarter_label_is_parsed_or_refused():
    assert Quarter.parse("2025-q3") == Quarter(2025, 3)
    with pytest.raises(ValueError, match="not a quarter"):
        Quarter.parse("2025-Q5")


def test_a_payback_beyond_the_calendar_is_no_planned_payback_day():
    # A case whose net benefit is a cent a year pays back its build cost in a hundred million
    # years: the scan found one in a seeded portfolio and crashed on the date (OverflowError).
    tiny = figures.Annual(
        lines={}, build_cost=Decimal("1000000"), payback_months=Decimal("1.2E9"), currency="EUR"
    )
    assert figures.planned_payback(tiny, date(2026, 1, 1)) is None
    in_reach = figures.Annual(
        lines={}, build_cost=Decimal("240000"), payback_months=Decimal("12"), currency="EUR"
    )
    assert figures.planned_payback(in_reach, date(2026, 1, 1)) == date(2027, 1, 1)
