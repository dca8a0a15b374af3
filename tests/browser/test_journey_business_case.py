"""A team writes its business case in a real browser (headless Chromium from Debian, driven by
Playwright): bad figures, the error summary, a fix, live totals as they type, the server's
figures after "Save draft", then submission. And the page's script, held to figures.py."""

import re
from decimal import Decimal

import pytest

from initiatives.business_cases.figures import derive
from initiatives.models import BusinessCase
from initiatives.templatetags.crossing import money, percent
from tests.factories import InitiativeFactory, UserFactory
from tests.support.browser import PASSWORD, sign_in

D = Decimal
FIGURES = (
    "total_annual_benefit",
    "annual_run_cost",
    "net_annual_benefit",
    "payback_months",
    "roi_3y",
)
INPUTS = (
    "revenue_protected",
    "costs_reduced",
    "capacity_hours",
    "hourly_rate",
    "risk_mitigated",
    "build_cost",
    "infrastructure_cost",
    "team_fte",
    "cost_per_fte",
    "operational_overhead",
)


def server_words(inputs: dict, currency: str) -> dict:
    """figures.py's figures in the words the server's pages use for them."""
    figures = derive(type("Case", (), {k: D(inputs.get(k) or 0) for k in INPUTS}))
    payback = figures.payback_months
    return {
        "total_annual_benefit": money(figures.total_annual_benefit, currency),
        "annual_run_cost": money(figures.annual_run_cost, currency),
        "net_annual_benefit": money(figures.net_annual_benefit, currency),
        "payback_months": "none (no net benefit)" if payback is None else f"{payback} months",
        "roi_3y": "—" if figures.roi_3y is None else percent(figures.roi_3y),
    }


def shown(page) -> dict:
    return {name: page.inner_text(f"[data-figure-out={name}]") for name in FIGURES}


@pytest.fixture
def team_member_page(live_server, browser_page):
    olga = UserFactory(username="olga", password=PASSWORD, first_name="Olga")
    InitiativeFactory(slug="claims-triage", name="Claims triage", members=[olga])
    sign_in(browser_page, live_server.url, "olga")
    return browser_page


@pytest.mark.django_db(transaction=True)
def test_a_team_writes_its_case_with_bad_then_good_figures(live_server, team_member_page):
    page = team_member_page
    new = f"{live_server.url}/initiatives/claims-triage/business-case/new/"
    page.goto(new)
    assert page.input_value("#id_revenue_protected") == ""  # empty, not "0"
    assert page.inner_text("#id_revenue_protected_unit") == "EUR"
    page.fill("#id_revenue_protected", "1e6")  # the mistake
    page.fill("#id_revenue_protected_rationale", "2% churn avoided on 5M")
    page.fill("#id_costs_reduced", "50 000")
    page.fill("#id_capacity_hours", "1,000")
    page.fill("#id_hourly_rate", "50")
    # build cost forgotten: a required figure
    page.fill("#id_infrastructure_cost", "12000")
    page.fill("#id_team_fte", "1.5")
    page.fill("#id_cost_per_fte", "80,000")
    page.fill("#id_operational_overhead", "8000")
    page.click("button[value=submit]")

    summary = page.locator(".error-summary")
    assert summary.locator("h2").inner_text() == "There are 2 problems"
    assert not BusinessCase.objects.exists()
    # What was typed is kept, the mistake included, to be corrected.
    assert page.input_value("#id_revenue_protected") == "1e6"
    assert page.input_value("#id_costs_reduced") == "50 000"
    assert page.input_value("#id_revenue_protected_rationale") == "2% churn avoided on 5M"
    assert page.get_attribute("#id_revenue_protected", "aria-invalid") == "true"
    assert "not as 1e6" in page.inner_text("#id_revenue_protected_error")
    border = page.eval_on_selector(
        "#id_revenue_protected", "e => getComputedStyle(e).borderTopColor"
    )
    assert border == "rgb(179, 38, 30)"  # marked in the error colour, not the plain border

    summary.get_by_role("link", name="Revenue protected").click()
    assert page.url.endswith("#id_revenue_protected")
    assert page.evaluate("document.activeElement.id") == "id_revenue_protected"

    # The totals follow the figures as they are typed.
    page.fill("#id_revenue_protected", "")
    page.locator("#id_revenue_protected").press_sequentially("120,000")
    page.fill("#id_build_cost", "200000")
    assert page.inner_text("#case-figures-state") == "As you type; not saved yet."
    before = shown(page)
    assert before["total_annual_benefit"] == "EUR 220,000"
    assert before["annual_run_cost"] == "EUR 140,000"
    page.locator("#id_build_cost").press_sequentially("0")  # 2,000,000
    assert page.inner_text("[data-figure-out=payback_months]") != before["payback_months"]
    page.fill("#id_build_cost", "200,000")
    typed = {name: page.input_value(f"#id_{name}") for name in INPUTS}
    expected = server_words(
        {**{k: v.replace(",", "").replace(" ", "") for k, v in typed.items()}}, "EUR"
    )
    assert shown(page) == expected

    page.click("button[value=save]")
    # (The browser keeps the #fragment the summary's link added across the redirect.)
    page.wait_for_url(re.compile(r".*/claims-triage/business-case/v1/edit/(#.*)?$"))
    # The server's figures of the saved draft, the same as the live ones.
    assert page.inner_text("#case-figures-state") == "As saved in draft version 1."
    assert shown(page) == expected
    assert page.input_value("#id_revenue_protected") == "120,000"
    case = BusinessCase.objects.get()
    assert (case.status, case.revenue_protected, case.risk_mitigated) == ("draft", D(120000), 0)

    page.click("button[value=submit]")
    page.wait_for_url(re.compile(r".*/claims-triage/business-case/v1/(#.*)?$"))
    figures = page.locator("dl.figures").inner_text()
    assert "EUR 220,000" in figures
    assert "EUR 80,000" in figures
    case.refresh_from_db()
    assert case.status == "submitted"


@pytest.mark.django_db(transaction=True)
def test_the_currency_shown_beside_each_amount_follows_the_choice(live_server, team_member_page):
    page = team_member_page
    page.goto(f"{live_server.url}/initiatives/claims-triage/business-case/new/")
    assert page.locator("#id_currency option").all_inner_texts() == [
        "EUR — Euro",
        "USD — US Dollar",
        "GBP — Pound Sterling",
    ]
    page.fill("#id_costs_reduced", "1000")
    page.select_option("#id_currency", "GBP")
    assert set(page.locator("[data-currency-unit]").all_inner_texts()) == {"GBP"}
    assert page.inner_text("#id_capacity_hours_unit") == "hours"
    assert page.inner_text("[data-figure-out=total_annual_benefit]") == "GBP 1,000"


# Cases the script must work out exactly as figures.py: losses, nothing spent, half-up ties,
# cents times fractional hours, the largest figures the form takes.
CASES = [
    {"revenue_protected": "100000", "build_cost": "200000", "infrastructure_cost": "12000"},
    {"costs_reduced": "1000", "build_cost": "5000", "team_fte": "2", "cost_per_fte": "90000"},
    {},  # nothing yet: no payback, no return
    {"revenue_protected": "500"},  # nothing spent: a return cannot be worked out
    {"capacity_hours": "0.5", "hourly_rate": "0.01", "build_cost": "0.01"},
    {"revenue_protected": "3", "build_cost": "0.01", "infrastructure_cost": "0.02"},
    {"revenue_protected": "1", "build_cost": "7", "infrastructure_cost": "0.5"},
    {"costs_reduced": "0.05", "build_cost": "0.04", "operational_overhead": "0.03"},
    {
        "revenue_protected": "100000000000",
        "capacity_hours": "10000000",
        "hourly_rate": "100000000000",
    },
    {
        "risk_mitigated": "1234.56",
        "build_cost": "98765.43",
        "team_fte": "0.33",
        "cost_per_fte": "1.07",
    },
    {"build_cost": "10", "infrastructure_cost": "3.33"},  # a loss
    {"revenue_protected": "2", "build_cost": "1", "infrastructure_cost": "1"},
]


@pytest.mark.django_db(transaction=True)
def test_the_live_figures_are_figures_py_to_the_cent(live_server, team_member_page):
    page = team_member_page
    page.goto(f"{live_server.url}/initiatives/claims-triage/business-case/new/")
    for inputs in CASES:
        computed = page.evaluate(
            """([names, inputs]) => {
                const f = window.caseFigures, values = {};
                for (const name of names) values[name] = f.readFigure(inputs[name] || "");
                return f.describe(f.derive(values), "EUR");
            }""",
            [list(INPUTS), inputs],
        )
        assert computed == server_words(inputs, "EUR"), inputs
    # And through the page itself, typed into the form, for the first few.
    for inputs in CASES[:3]:
        for name in INPUTS:
            page.fill(f"#id_{name}", inputs.get(name, ""))
        assert shown(page) == server_words(inputs, "EUR"), inputs


@pytest.mark.django_db(transaction=True)
def test_a_saved_draft_keeps_its_dates_when_saved_again(live_server, team_member_page):
    page = team_member_page
    page.goto(f"{live_server.url}/initiatives/claims-triage/business-case/new/")
    for name in ("build_cost", "infrastructure_cost", "team_fte", "cost_per_fte"):
        page.fill(f"#id_{name}", "0")
    page.fill("#id_operational_overhead", "0")
    page.fill("#id_target_pilot_date", "2027-03-01")
    page.fill("#id_target_production_date", "2027-09-01")
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server.url}/initiatives/claims-triage/business-case/v1/edit/")

    assert page.input_value("#id_target_pilot_date") == "2027-03-01"
    page.fill("#id_build_cost", "500")
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server.url}/initiatives/claims-triage/business-case/v1/edit/")
    case = BusinessCase.objects.get()
    assert (str(case.target_pilot_date), str(case.target_production_date)) == (
        "2027-03-01",
        "2027-09-01",
    )
    assert case.build_cost == D("500")
