"""A person in a real browser (headless Chromium, driven by Playwright) reads the portfolio:
signs in, follows a funnel number to the filtered list, and opens an initiative."""

import re

import pytest

from tests.factories import UserFactory
from tests.support import dashboard_portfolio
from tests.support.browser import PASSWORD, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_person_follows_a_funnel_number_to_the_list_and_opens_an_initiative(
    live_server, browser_page
):
    page = browser_page
    UserFactory(username="olga", password=PASSWORD, first_name="Olga")
    dashboard_portfolio.build()

    sign_in(page, live_server.url, "olga")

    funnel = page.locator("ol.funnel a", has_text="Proof of concept")
    number = int(funnel.locator(".count").inner_text())
    assert number == dashboard_portfolio.EXPECTED[None]["stages"]["poc"]
    funnel.click()
    page.wait_for_url(re.compile(r"/initiatives/\?stage=poc$"))

    rows = page.locator("main table tbody tr")
    assert rows.count() == number
    assert page.get_by_text(f"{number} initiatives").is_visible()
    assert set(rows.locator("td:nth-child(2)").all_inner_texts()) == {"Proof of concept"}

    first = rows.first.locator("td a").first
    name = first.inner_text()
    first.click()
    page.wait_for_url(re.compile(r"/initiatives/[a-z0-9-]+/$"))
    assert page.locator("h1").inner_text() == name
    assert page.get_by_text("Proof of concept").first.is_visible()


@pytest.mark.django_db(transaction=True)
def test_the_business_unit_filter_reaches_the_funnel_in_the_browser(live_server, browser_page):
    page = browser_page
    UserFactory(username="olga", password=PASSWORD)
    dashboard_portfolio.build()

    sign_in(page, live_server.url, "olga")
    page.select_option("#id_business_unit", "Claims")
    page.click("form.inline-filter button[type=submit]")
    page.wait_for_url(re.compile(r"\?business_unit=Claims$"))
    assert page.locator("h1").inner_text() == "Portfolio: Claims"

    pilot = page.locator("ol.funnel a", has_text="Pilot")
    number = int(pilot.locator(".count").inner_text())
    assert number == dashboard_portfolio.EXPECTED["Claims"]["stages"]["pilot"]
    pilot.click()
    page.wait_for_url(re.compile(r"stage=pilot"))
    assert page.locator("main table tbody tr").count() == number
