"""Every page a person reaches from the top bar works at a phone's width (390 px): nothing
scrolls sideways, so no button ends up off the screen. Wide tables scroll inside their own
box instead (static/css/portal.css)."""

import pytest
from django.urls import reverse

from initiatives.core.choices import EmailStatus
from initiatives.models import Initiative
from tests.factories import AuthTokenFactory, EmailRecordFactory, UserFactory
from tests.support import dashboard_portfolio
from tests.support.browser import PASSWORD, sign_in

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_at_phone_width(live_server, browser_page):
    page = browser_page
    dashboard_portfolio.build()
    olga = UserFactory(username="olga", password=PASSWORD, governance=True)
    initiative = Initiative.objects.order_by("pk").first()
    EmailRecordFactory(
        status=EmailStatus.FAILED,
        initiative=initiative,
        recipient="a.very.long.address.of.someone@subsidiary.example.com",
        last_error="SMTPServerDisconnected: Connection unexpectedly closed by the relay",
    )
    AuthTokenFactory(user=olga)
    sign_in(page, live_server.url, "olga")
    page.set_viewport_size(PHONE)

    paths = [
        reverse("portfolio"),
        reverse("initiative-list"),
        initiative.get_absolute_url(),
        reverse("my-work"),
        reverse("governance-queue"),
        reverse("email-list"),
        reverse("profile"),
    ]
    too_wide = {}
    for path in paths:
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE["width"]:
            too_wide[path] = width
    assert too_wide == {}, too_wide
