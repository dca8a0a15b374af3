"""Form data as a browser posts it, for tests of more than one domain."""


def business_case_form(**overrides) -> dict:
    """The business case form as a browser posts it, complete and valid; `overrides` change
    or add fields."""
    data = {
        "currency": "EUR",
        "revenue_protected": "100000",
        "revenue_protected_rationale": "Churn of 2% avoided on 5M revenue.",
        "costs_reduced": "50000",
        "costs_reduced_rationale": "",
        "capacity_hours": "1000",
        "hourly_rate": "50",
        "capacity_rationale": "",
        "risk_mitigated": "20000",
        "risk_mitigated_rationale": "",
        "build_cost": "200000",
        "infrastructure_cost": "12000",
        "team_fte": "1.5",
        "cost_per_fte": "80000",
        "operational_overhead": "8000",
        "target_pilot_date": "2027-01-15",
        "target_production_date": "2027-06-30",
        "form_key": "key-1",
        "action": "submit",
    }
    data.update(overrides)
    return data
