"""The leader's journey (issue 15), in a real browser: the portfolio names what needs
attention; a name leads to the initiative; a count leads to exactly the initiatives behind
it; the readiness heat map opens from the portfolio and fits a phone."""

import re

import pytest

from initiatives.models import Initiative
from tests.factories import UserFactory
from tests.support import dashboard_portfolio
from tests.support.browser import PASSWORD, sign_in

NO_SIDEWAYS_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


def names(slugs: list[str]) -> list[str]:
    by_slug = dict(Initiative.objects.filter(slug__in=slugs).values_list("slug", "name"))
    return [by_slug[s] for s in slugs]


def table_names(page) -> set[str]:
    """The initiative named in each row of the page's table (its first link)."""
    rows = page.locator("main table tbody tr")
    return {rows.nth(i).locator("a").first.inner_text() for i in range(rows.count())}


@pytest.mark.django_db(transaction=True)
def test_the_leader_follows_needs_attention_to_the_initiative_and_a_count_to_its_list(
    live_server, browser_page
):
    page = browser_page
    UserFactory(username="lena", password=PASSWORD, first_name="Lena")
    dashboard_portfolio.build()
    expected = names(dashboard_portfolio.EXPECTED[None]["attention"])

    sign_in(page, live_server.url, "lena")
    attention = page.locator("section[aria-labelledby=attention-h]")
    assert attention.locator("h2").inner_text().startswith("Needs attention")
    listed = attention.locator("tbody tr td:first-child a").all_inner_texts()
    assert listed == expected  # most urgent first: the failing system leads
    assert "Health failing" in attention.locator("tbody tr").first.inner_text()

    # A name leads to the initiative's page.
    attention.get_by_role("link", name=expected[0]).click()
    page.wait_for_url(re.compile(r"/initiatives/c-prod-failing/$"))
    assert page.locator("h1").inner_text() == expected[0]

    # "9 in all" leads to exactly those nine.
    page.go_back()
    page.locator("#attention-h a").click()
    page.wait_for_url(re.compile(r"/initiatives/\?attention=true$"))
    assert table_names(page) == set(expected)

    # So does every flag count: "1 ownerless" is the ownerless pilot.
    page.go_back()
    page.locator("#flags-h ~ ul a", has_text="ownerless").click()
    page.wait_for_url(re.compile(r"flag=ownerless$"))
    assert table_names(page) == set(names(["c-pilot-50"]))


@pytest.mark.django_db(transaction=True)
def test_the_portfolio_and_the_heat_map_fit_a_phone(live_server, browser_page):
    page = browser_page
    UserFactory(username="lena", password=PASSWORD)
    dashboard_portfolio.build()
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server.url, "lena")
    assert page.evaluate(NO_SIDEWAYS_SCROLL)

    page.get_by_role("link", name=re.compile("Readiness across the portfolio")).click()
    page.wait_for_url(re.compile(r"/portfolio/readiness/$"))
    assert page.locator("h1").inner_text() == "Readiness across the portfolio"
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    first = page.locator("main table tbody th a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/initiatives/[a-z0-9-]+/readiness/$"))
    assert name in page.locator("main").inner_text()
