"""Derived business-case figures: one pure function, Decimal throughout (README "Business cases").

    total_annual_benefit = revenue_protected + costs_reduced
                           + capacity_hours × hourly_rate + risk_mitigated
    annual_run_cost      = infrastructure_cost + team_fte × cost_per_fte + operational_overhead
    net_annual_benefit   = total_annual_benefit − annual_run_cost
    payback_months       = 12 × build_cost ÷ net_annual_benefit, none unless net benefit > 0
    roi_3y               = (3 × benefit − build − 3 × run cost) ÷ (build + 3 × run cost),
                           none when nothing is spent

Money is rounded to cents, payback to a tenth of a month, ROI to four places, each half up.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
ROI_PLACES = Decimal("0.0001")


class CaseInputs(Protocol):
    revenue_protected: Decimal
    costs_reduced: Decimal
    capacity_hours: Decimal
    hourly_rate: Decimal
    risk_mitigated: Decimal
    build_cost: Decimal
    infrastructure_cost: Decimal
    team_fte: Decimal
    cost_per_fte: Decimal
    operational_overhead: Decimal


@dataclass(frozen=True)
class Figures:
    total_annual_benefit: Decimal
    annual_run_cost: Decimal
    net_annual_benefit: Decimal
    payback_months: Decimal | None
    roi_3y: Decimal | None

    def as_dict(self) -> dict:
        return {
            "total_annual_benefit": self.total_annual_benefit,
            "annual_run_cost": self.annual_run_cost,
            "net_annual_benefit": self.net_annual_benefit,
            "payback_months": self.payback_months,
            "roi_3y": self.roi_3y,
        }


def _d(value) -> Decimal:
    if isinstance(value, float):
        raise TypeError("Business-case figures are Decimal, never float.")
    return Decimal(value or 0)


def derive(case: CaseInputs) -> Figures:
    benefit = (
        _d(case.revenue_protected)
        + _d(case.costs_reduced)
        + _d(case.capacity_hours) * _d(case.hourly_rate)
        + _d(case.risk_mitigated)
    )
    run_cost = (
        _d(case.infrastructure_cost)
        + _d(case.team_fte) * _d(case.cost_per_fte)
        + _d(case.operational_overhead)
    )
    build = _d(case.build_cost)
    net = benefit - run_cost
    payback = (build * 12 / net).quantize(TENTH, ROUND_HALF_UP) if net > 0 else None
    spent = build + 3 * run_cost
    roi = ((3 * benefit - spent) / spent).quantize(ROI_PLACES, ROUND_HALF_UP) if spent else None
    return Figures(
        total_annual_benefit=benefit.quantize(CENT, ROUND_HALF_UP),
        annual_run_cost=run_cost.quantize(CENT, ROUND_HALF_UP),
        net_annual_benefit=net.quantize(CENT, ROUND_HALF_UP),
        payback_months=payback,
        roi_3y=roi,
    )
