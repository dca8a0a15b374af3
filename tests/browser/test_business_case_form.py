"""A person in a real browser (headless Chromium from Debian, driven by Playwright) writes a
business case: signs in, submits with a mistake, corrects it, and sees the figures."""

from decimal import Decimal

import pytest

from initiatives.models import BusinessCase
from tests.factories import InitiativeFactory, UserFactory
from tests.support.browser import PASSWORD, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_person_writes_a_business_case_in_the_browser(live_server, browser_page):
    page = browser_page
    olga = UserFactory(username="olga", password=PASSWORD, first_name="Olga")
    initiative = InitiativeFactory(slug="claims-triage", name="Claims triage", members=[olga])

    sign_in(page, live_server.url, "olga")

    page.goto(f"{live_server.url}/initiatives/claims-triage/business-case/new/")
    page.select_option("#id_currency", "EUR")
    page.fill("#id_revenue_protected", "-100")  # the mistake
    page.fill("#id_revenue_protected_rationale", "2% churn avoided on 5M")
    page.fill("#id_costs_reduced", "50000")
    page.fill("#id_capacity_hours", "1000")
    page.fill("#id_hourly_rate", "50")
    page.fill("#id_build_cost", "200000")
    page.fill("#id_infrastructure_cost", "12000")
    page.fill("#id_team_fte", "1.5")
    page.fill("#id_cost_per_fte", "80000")
    page.fill("#id_operational_overhead", "8000")
    page.click("button[value=submit]")

    error = page.locator("#id_revenue_protected_error")
    assert "greater than or equal to 0" in error.inner_text()
    assert page.input_value("#id_costs_reduced") == "50000"  # nothing typed was lost
    assert page.input_value("#id_revenue_protected_rationale") == "2% churn avoided on 5M"
    assert not BusinessCase.objects.exists()

    page.fill("#id_revenue_protected", "100000")
    page.click("button[value=submit]")
    page.wait_for_url(f"{live_server.url}/initiatives/claims-triage/business-case/v1/")

    figures = page.locator("dl.figures").inner_text()
    assert "EUR 200,000" in figures  # total annual benefit
    assert "EUR 140,000" in figures  # annual run cost
    assert "EUR 60,000" in figures  # net annual benefit
    assert "40.0 months" in figures  # payback
    case = BusinessCase.objects.get(initiative=initiative)
    assert (case.status, case.revenue_protected) == ("submitted", Decimal("100000"))


@pytest.mark.django_db(transaction=True)
def test_a_saved_draft_keeps_its_dates_when_saved_again_in_the_browser(live_server, browser_page):
    page = browser_page
    UserFactory(username="mei", password=PASSWORD)
    initiative = InitiativeFactory(slug="stock-outs", name="Stock-out prediction")
    initiative.team_members.add(*UserFactory._meta.model.objects.filter(username="mei"))

    sign_in(page, live_server.url, "mei")

    page.goto(f"{live_server.url}/initiatives/stock-outs/business-case/new/")
    page.fill("#id_revenue_protected", "1000")
    page.fill("#id_target_pilot_date", "2027-03-01")
    page.fill("#id_target_production_date", "2027-09-01")
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server.url}/initiatives/stock-outs/business-case/v1/edit/")

    assert page.input_value("#id_target_pilot_date") == "2027-03-01"
    page.fill("#id_build_cost", "500")
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server.url}/initiatives/stock-outs/business-case/v1/edit/")
    case = BusinessCase.objects.get(initiative=initiative)
    assert (str(case.target_pilot_date), str(case.target_production_date)) == (
        "2027-03-01",
        "2027-09-01",
    )
    assert case.build_cost == Decimal("500")
