"""The value waiting in the valley (README "Reporting currency"): the planned net annual
benefit of the initiatives still in POC and pilot, per currency and in the reporting
currency, and the ones waiting longest, on the portfolio page and in /api/v1/portfolio/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import BusinessCaseStatus, Stage
from initiatives.dashboards.summary import value_in_valley
from initiatives.models import Initiative
from tests.factories import (
    BusinessCaseFactory,
    BusinessUnitFactory,
    ExchangeRateFactory,
    InitiativeFactory,
)
from tests.support.clients import api_client_for

pytestmark = pytest.mark.django_db

APPROVED, SUBMITTED = BusinessCaseStatus.APPROVED, BusinessCaseStatus.SUBMITTED
REJECTED, DRAFT = BusinessCaseStatus.REJECTED, BusinessCaseStatus.DRAFT
NOW = timezone.now()


@pytest.fixture(autouse=True)
def currencies(settings):
    settings.PORTAL_CURRENCIES = ["EUR", "USD", "GBP"]
    settings.PORTAL_REPORTING_CURRENCY = "EUR"


def waiting(slug: str, stage: str, days: int, unit=None, **kwargs) -> Initiative:
    # Two hours more than whole days, so a test that runs across midnight counts the same.
    entered = NOW - timedelta(days=days, hours=2)
    extra = {"business_unit": unit} if unit else {}
    return InitiativeFactory(
        slug=slug, name=slug.title(), stage=stage, stage_entered_at=entered, **extra, **kwargs
    )


def case(initiative, version, status, currency="EUR", **figures):
    return BusinessCaseFactory(
        initiative=initiative, version=version, status=status, currency=currency, **figures
    )


@pytest.fixture
def valley(db):
    """In EUR, reporting in EUR, one USD rate valid today (0.90), an older and a future one:

    slug   stage       days  versions (status, currency, net annual benefit)      counts as
    alpha  POC          100  v1 approved EUR 155,183.18; v2 submitted 900,000      v1
    bravo  pilot         50  v1 submitted USD 138,000.00                          v1
    charl  pilot         10  v1 approved USD 30,000.00; v2 rejected                v1
    delta  POC           20  v1 draft                                              no plan
    echo   POC            5  v1 rejected                                           no plan
    fox    production   300  v1 approved EUR                                       not waiting

    alpha's v1: 200,000 revenue + 333.33 h × 45.55 (15,183.1815) − 10,000 infrastructure −
    0.5 FTE × 90,000 − 5,000 overhead = 155,183.1815 → 155,183.18.
    """
    alpha = waiting("alpha", Stage.POC, 100)
    case(
        alpha,
        1,
        APPROVED,
        revenue_protected=Decimal("200000"),
        costs_reduced=Decimal("0"),
        capacity_hours=Decimal("333.33"),
        hourly_rate=Decimal("45.55"),
        infrastructure_cost=Decimal("10000"),
        team_fte=Decimal("0.5"),
        cost_per_fte=Decimal("90000"),
        operational_overhead=Decimal("5000"),
    )
    case(alpha, 2, SUBMITTED, revenue_protected=Decimal("900000"))
    bravo = waiting("bravo", Stage.PILOT, 50)
    case(bravo, 1, SUBMITTED, "USD")  # the factory's 100,000 + 50,000 − 12,000
    charlie = waiting("charl", Stage.PILOT, 10)
    case(
        charlie,
        1,
        APPROVED,
        "USD",
        revenue_protected=Decimal("50000"),
        costs_reduced=Decimal("0"),
        infrastructure_cost=Decimal("20000"),
    )
    case(charlie, 2, REJECTED, "USD", revenue_protected=Decimal("1"))
    case(waiting("delta", Stage.POC, 20), 1, DRAFT)
    case(waiting("echo", Stage.POC, 5), 1, REJECTED)
    case(waiting("fox", Stage.PRODUCTION, 300), 1, APPROVED)
    ExchangeRateFactory(
        currency="USD", rate=Decimal("0.50"), valid_from=NOW.date() - timedelta(400)
    )
    ExchangeRateFactory(currency="USD", rate=Decimal("0.90"), valid_from=NOW.date() - timedelta(30))
    ExchangeRateFactory(currency="USD", rate=Decimal("9.00"), valid_from=NOW.date() + timedelta(2))
    return {i.slug: i for i in Initiative.objects.all()}


def test_the_worked_example_totals_per_currency_and_in_the_reporting_currency(valley):
    value = value_in_valley(Initiative.objects.all(), as_of=NOW, in_valley=5)

    assert [(t.currency, t.amount, t.count, t.approved) for t in value.totals] == [
        ("EUR", Decimal("155183.18"), 1, 1),
        ("USD", Decimal("168000.00"), 2, 1),
    ]
    # 155,183.18 + 168,000.00 × 0.90 = 155,183.18 + 151,200.00
    assert value.reporting.amount == Decimal("306383.18")
    assert [(r.currency, r.rate) for r in value.reporting.rates] == [("USD", Decimal("0.90"))]
    assert value.reporting.missing == []
    assert (value.in_valley, value.planned, value.without_plan) == (5, 3, 2)
    assert [(w.initiative.slug, w.days, w.planned_net, w.case.version) for w in value.waiting] == [
        ("alpha", 100, Decimal("155183.18"), 1),
        ("bravo", 50, Decimal("138000.00"), 1),
        ("charl", 10, Decimal("30000.00"), 1),
    ]


def test_the_sql_net_benefit_agrees_with_the_business_case_figures(valley):
    value = value_in_valley(Initiative.objects.all(), as_of=NOW, in_valley=5)
    for item in value.waiting:
        assert item.planned_net == item.case.figures.net_annual_benefit


def test_the_five_longest_waiting_are_named_longest_first_then_by_name(db):
    for slug, days in [("a", 3), ("b", 70), ("c", 40), ("d", 70), ("e", 90), ("f", 1), ("g", 55)]:
        stage = Stage.POC if days % 2 else Stage.PILOT
        case(waiting(slug, stage, days), 1, APPROVED)

    value = value_in_valley(Initiative.objects.all(), as_of=NOW, in_valley=7)

    assert [(w.initiative.slug, w.days) for w in value.waiting] == [
        ("e", 90),
        ("b", 70),
        ("d", 70),
        ("g", 55),
        ("c", 40),
    ]


def test_a_currency_without_a_rate_gives_no_reporting_total_but_its_own(valley):
    case(waiting("golf", Stage.POC, 7), 1, SUBMITTED, "GBP")

    value = value_in_valley(Initiative.objects.all(), as_of=NOW, in_valley=6)

    assert value.reporting.amount is None
    assert value.reporting.missing == ["GBP"]
    assert ("GBP", Decimal("138000.00")) in [(t.currency, t.amount) for t in value.totals]


def add_initiatives(n: int) -> None:
    for index in range(n):
        initiative = waiting(f"more-{index}", [Stage.POC, Stage.PILOT][index % 2], index + 1)
        case(initiative, 1, APPROVED, ["EUR", "USD"][index % 2])
        case(initiative, 2, SUBMITTED, ["EUR", "USD"][index % 2])


def test_the_query_count_does_not_grow_with_initiatives_and_cases(
    valley, django_assert_num_queries
):
    # The version of the value figures (value.cache), the totals per currency (not kept
    # yet), the longest waiting with their business units, the rates.
    with django_assert_num_queries(4):
        value_in_valley(Initiative.objects.all(), as_of=NOW, in_valley=5)
    add_initiatives(20)
    with django_assert_num_queries(4):
        value = value_in_valley(Initiative.objects.all(), as_of=NOW, in_valley=25)
    # Read again with nothing changed: the totals come from the cache.
    with django_assert_num_queries(3):
        again = value_in_valley(Initiative.objects.all(), as_of=NOW, in_valley=25)
    assert again.totals == value.totals
    assert value.planned == 23
    assert len(value.waiting) == 5
    assert all(w.initiative.business_unit.name for w in value.waiting)  # no query: joined


def test_the_portfolio_page_shows_the_total_the_rates_used_and_the_longest_waiting(
    valley, viewer, as_user
):
    client = as_user(viewer)
    client.get(reverse("portfolio"))  # the session and content types, outside the count
    cache.clear()  # both sizes compute the value figures (value.cache)
    with CaptureQueriesContext(connection) as small:
        page = client.get(reverse("portfolio")).content.decode()

    section = page.split('id="valley-value-h"', 1)[1].split("</section>", 1)[0]
    assert "5 in POC and pilot</a>: 3 with a business case, 2 without one" in section
    assert "EUR 155,183" in section
    assert "USD 168,000" in section
    assert "In all, <strong>EUR 306,383</strong> a year, at 1 USD = 0.9 EUR (from" in section
    alpha, bravo = valley["alpha"], valley["bravo"]
    assert section.index(alpha.get_absolute_url()) < section.index(bravo.get_absolute_url())
    assert "(case submitted for review)" in section  # bravo's plan is not approved yet
    assert valley["delta"].get_absolute_url() not in section  # no plan, not named

    add_initiatives(12)
    cache.clear()
    with CaptureQueriesContext(connection) as large:
        client.get(reverse("portfolio"))
    assert len(large) == len(small)


def test_the_page_says_which_currency_has_no_rate(valley, viewer, as_user):
    case(waiting("golf", Stage.POC, 7), 1, SUBMITTED, "GBP")

    page = as_user(viewer).get(reverse("portfolio")).content.decode()

    assert "No total in EUR: no exchange rate to EUR on or before" in page
    assert "for GBP. Rates found: 1 USD = 0.9 EUR" in page


def test_the_portfolio_api_gives_the_value_waiting_and_narrows_it_to_a_business_unit(
    valley, viewer
):
    client = api_client_for(viewer)

    body = client.get("/api/v1/portfolio/").json()["value_waiting"]

    assert (body["in_valley"], body["planned"], body["without_plan"]) == (5, 3, 2)
    assert body["totals"] == [
        {"currency": "EUR", "amount": "155183.18", "count": 1, "approved": 1},
        {"currency": "USD", "amount": "168000.00", "count": 2, "approved": 1},
    ]
    reporting = body["reporting"]
    assert (reporting["currency"], reporting["amount"], reporting["missing"]) == (
        "EUR",
        "306383.18",
        [],
    )
    assert reporting["rates"] == [
        {
            "currency": "USD",
            "rate": "0.90000000",
            "valid_from": (NOW.date() - timedelta(30)).isoformat(),
        }
    ]
    first = body["longest_waiting"][0]
    assert first == {
        "slug": "alpha",
        "name": "Alpha",
        "business_unit": valley["alpha"].business_unit.name,
        "stage": "poc",
        "days_in_stage": 100,
        "planned_net_annual_benefit": "155183.18",
        "currency": "EUR",
        "case_version": 1,
        "case_status": "approved",
        "url": valley["alpha"].get_absolute_url(),
    }
    assert body["api_url"].startswith("/api/v1/initiatives/?stage=poc&stage=pilot")
    assert client.get(body["api_url"]).json()["count"] == 5

    unit = valley["bravo"].business_unit.name
    narrowed = client.get("/api/v1/portfolio/", {"business_unit": unit}).json()["value_waiting"]
    assert [w["slug"] for w in narrowed["longest_waiting"]] == ["bravo"]
    assert narrowed["totals"] == [
        {"currency": "USD", "amount": "138000.00", "count": 1, "approved": 0}
    ]


def test_an_empty_valley_says_so(db, viewer, as_user):
    unit = BusinessUnitFactory(name="Quiet")
    waiting("live", Stage.PRODUCTION, 5, unit=unit)

    page = as_user(viewer).get(reverse("portfolio"), {"business_unit": "Quiet"}).content.decode()

    assert "No initiative is in POC or pilot in this business unit." in page
