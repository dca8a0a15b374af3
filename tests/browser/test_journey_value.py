"""An owner reports a quarter's value in a real browser (headless Chromium, Playwright): from
My work to the form, a mistake and its fix, then the comparison on the initiative page
changes from "not reported" to the realised figures."""

import re
from decimal import Decimal

import pytest

from initiatives.value.models import ValueReport
from tests.factories import UserFactory
from tests.support.browser import PASSWORD, sign_in
from tests.support.value import production_system


@pytest.mark.django_db(transaction=True)
def test_an_owner_reports_a_quarter_and_sees_the_comparison_change(live_server, browser_page):
    page = browser_page
    olga = UserFactory(username="olga", password=PASSWORD, first_name="Olga")
    production_system(name="Churn model", slug="churn-model", owner=olga)
    sign_in(page, live_server.url, "olga")

    page.goto(f"{live_server.url}/initiatives/churn-model/")
    chart = page.locator(".value-chart svg").get_attribute("aria-label")
    assert "2025-Q3 planned 22,989, not reported" in chart

    page.goto(f"{live_server.url}/my-work/")
    page.get_by_role("link", name="Report 2025-Q3 for Churn model").click()
    page.wait_for_url(re.compile(r".*/churn-model/value/report/\?quarter=2025-Q3$"))
    assert page.input_value("#id_quarter") == "2025-Q3"
    assert page.input_value("#id_currency") == "EUR"
    page.fill("#id_revenue_protected", "20,000")
    page.fill("#id_costs_reduced", "10 000")
    page.fill("#id_capacity_hours", "300")
    page.fill("#id_hourly_rate", "50")
    page.fill("#id_risk_mitigated", "5000")
    page.fill("#id_infrastructure_cost", "8000")
    page.fill("#id_team_cost", "-10000")  # the mistake
    page.fill("#id_overhead_cost", "2000")
    page.get_by_role("button", name="Save the report").click()

    assert "cannot be negative" in page.inner_text("#id_team_cost_error")
    assert page.input_value("#id_revenue_protected") == "20,000"  # kept as typed
    assert not ValueReport.objects.exists()
    page.fill("#id_team_cost", "10000")
    page.get_by_role("button", name="Save the report").click()
    page.wait_for_url(re.compile(r".*/churn-model/value/$"))
    assert "2025-Q3 reported." in page.inner_text("body")

    page.goto(f"{live_server.url}/initiatives/churn-model/")
    chart = page.locator(".value-chart svg").get_attribute("aria-label")
    # Planned net 22,989.14; realised 50,000 − 20,000 = 30,000.
    assert "2025-Q3 planned 22,989, realised 30,000" in chart
    assert "Cumulative realised 30,000" in chart
    report = ValueReport.objects.get()
    assert (report.team_cost, report.reported_by) == (Decimal("10000"), olga)
