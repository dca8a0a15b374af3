"""Value over the API: reports (list, create, correct), the comparison, the portfolio."""

from datetime import date

import pytest

from initiatives.value.models import ValueReport
from tests.factories import BusinessUnitFactory, UserFactory, ValueReporterGrantFactory
from tests.support.clients import api_client_for
from tests.support.value import REPORTS, production_system, report


@pytest.fixture
def system(db):
    return production_system(slug="churn-model")


def url(system, quarter=""):
    base = f"/api/v1/initiatives/{system.slug}/value-reports/"
    return f"{base}{quarter}/" if quarter else base


def test_owner_reports_and_corrects_a_quarter(system):
    client = api_client_for(system.production_owner)
    created = client.post(
        url(system), {"year": 2025, "quarter": 3, "revenue_protected": "1000.50"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["currency"] == "EUR"  # the case's, when not given
    assert created.json()["quarter_label"] == "2025-Q3"
    corrected = client.patch(url(system, "2025-Q3"), {"team_cost": "300"}, format="json")
    assert corrected.status_code == 200
    assert (corrected.json()["revenue_protected"], corrected.json()["team_cost"]) == (
        "1000.50",
        "300.00",
    )
    assert [r["quarter_label"] for r in client.get(url(system)).json()["results"]] == ["2025-Q3"]
    assert ValueReport.history.count() == 2


def test_api_refuses_another_currency_and_a_negative_run_cost_by_field(system):
    client = api_client_for(system.production_owner)
    answer = client.post(
        url(system),
        {"year": 2025, "quarter": 3, "currency": "USD", "overhead_cost": "-1"},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["overhead_cost"] == ["Type 0 or more: a figure here cannot be negative."]
    usd = {"year": 2025, "quarter": 3, "currency": "USD"}
    answer = client.post(url(system), usd, format="json")
    assert answer.status_code == 400
    assert "Report in EUR" in answer.json()["currency"][0]
    assert not ValueReport.objects.exists()


def test_a_granted_machine_client_pushes_but_reads_nothing_else(system):
    client = ValueReporterGrantFactory(initiative=system).user
    api = api_client_for(client)
    pushed = api.post(url(system), {"year": 2025, "quarter": 3}, format="json")
    assert pushed.status_code == 201
    assert api.get(url(system)).status_code == 403
    other = production_system(slug="other")
    assert api.post(url(other), {"year": 2025, "quarter": 3}, format="json").status_code == 403


def test_a_viewer_reads_but_may_not_report(system):
    api = api_client_for(UserFactory())
    assert api.get(url(system)).status_code == 200
    answer = api.post(url(system), {"year": 2025, "quarter": 3}, format="json")
    assert answer.status_code == 403


def test_comparison_endpoint_gives_the_worked_example(system):
    for (year, quarter), values in REPORTS.items():
        report(system, year, quarter, **values)
    data = api_client_for(UserFactory()).get(f"/api/v1/initiatives/{system.slug}/value/").json()
    first = data["quarters"][0]
    assert first["quarter"] == "2025-Q3"
    assert first["this_quarter"]["planned"]["net"] == "22989.14"
    assert first["this_quarter"]["variance"]["net"] == {"money": "7010.86", "share": "0.3050"}
    assert data["realised_payback_quarter"] == "2026-Q2"
    assert data["planned_payback"] == date(2026, 12, 15).isoformat()
    assert data["realised_roi"] is not None


def test_portfolio_value_is_per_unit_and_currency(system, django_assert_max_num_queries):
    report(system, 2025, 3, revenue_protected=1000)
    api = api_client_for(UserFactory())
    answer = api.get("/api/v1/portfolio/value/").json()
    assert [(u["business_unit"], u["currency"]) for u in answer["business_units"]] == [
        (system.business_unit.name, "EUR")
    ]
    assert answer["totals"][0]["realised"]["benefit"] == "1000.00"
    BusinessUnitFactory(name="Empty")
    assert api.get("/api/v1/portfolio/value/?business_unit=Empty").json()["totals"] == []
    assert api.get("/api/v1/portfolio/value/?business_unit=Nope").status_code == 400


def test_portfolio_value_refuses_a_name_with_a_nul_character(db):
    answer = api_client_for(UserFactory()).get("/api/v1/portfolio/value/?business_unit=a%00b")
    assert answer.status_code == 400
    assert "business_unit" in answer.json()
