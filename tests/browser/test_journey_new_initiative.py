"""A person starts a new initiative in a real browser (headless Chromium from Debian, driven
by Playwright): types its name and sees the slug proposed, finds the sponsor by typing a
first name (never offered a machine client), saves, and lands on the new initiative."""

import pytest

from initiatives.models import Initiative
from tests.factories import BusinessUnitFactory, UserFactory
from tests.support.browser import PASSWORD, sign_in


@pytest.mark.django_db(transaction=True)
def test_a_person_creates_an_initiative_choosing_the_sponsor_by_name(live_server, browser_page):
    page = browser_page
    UserFactory(username="olga", password=PASSWORD, first_name="Olga", last_name="Petrova")
    sponsor = UserFactory(username="hschmidt", first_name="Hannah", last_name="Schmidt")
    UserFactory(username="hprobe", first_name="Hannah", last_name="Probe", machine_client=True)
    BusinessUnitFactory(name="Claims")

    sign_in(page, live_server.url, "olga")
    page.goto(f"{live_server.url}/initiatives/new/")

    page.fill("#id_name", "Invoice matching for Claims")
    assert page.input_value("#id_slug") == "invoice-matching-for-claims"  # proposed as typed

    page.select_option("#id_business_unit", label="Claims")
    page.click("#id_sponsor_search")  # the label now names the search box
    page.keyboard.type("hann", delay=30)
    options = page.locator("#id_sponsor_options [role=option]")
    options.first.wait_for()
    assert options.all_inner_texts() == ["Hannah Schmidt (hschmidt)"]  # no machine client
    options.first.click()
    assert page.input_value("#id_sponsor_search") == "Hannah Schmidt (hschmidt)"

    page.get_by_role("button", name="Create initiative").click()
    page.wait_for_url(f"{live_server.url}/initiatives/invoice-matching-for-claims/")
    assert "Invoice matching for Claims was created." in page.inner_text("main")
    initiative = Initiative.objects.get(slug="invoice-matching-for-claims")
    assert initiative.sponsor == sponsor


@pytest.mark.django_db(transaction=True)
def test_a_slug_the_person_edits_is_no_longer_proposed(live_server, browser_page):
    page = browser_page
    UserFactory(username="mei", password=PASSWORD)
    sign_in(page, live_server.url, "mei")
    page.goto(f"{live_server.url}/initiatives/new/")
    page.fill("#id_name", "Stock-out prediction")
    page.fill("#id_slug", "stockouts")
    page.fill("#id_name", "Stock-out prediction for stores")
    assert page.input_value("#id_slug") == "stockouts"
