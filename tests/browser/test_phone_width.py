"""Every page a person uses (`tests/support/pages.py`, the table the accessibility test uses
too) works at a phone's width (390 px): nothing scrolls sideways, so no button ends up off the
screen. Wide tables scroll inside their own box instead (static/css/portal.css)."""

import pytest

from tests.support import pages
from tests.support.browser import sign_in

PHONE = {"width": 390, "height": 844}


@pytest.mark.django_db(transaction=True)
def test_no_page_scrolls_sideways_at_phone_width(live_server, browser_page):
    page = browser_page
    objects = pages.build()
    page.set_viewport_size(PHONE)

    too_wide = {}
    visited = 0
    for who, entries in pages.by_person().items():
        page.context.clear_cookies()
        if who is not None:
            sign_in(page, live_server.url, who)
        for entry in entries:
            address = entry.address(objects)
            response = page.goto(live_server.url + address)
            assert response.status == entry.status, (entry.name, address, response.status)
            if entry.name == "API docs":
                page.wait_for_selector(".opblock-summary-path")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                too_wide[f"{entry.name} {address}"] = width
            visited += 1
    assert visited == len(pages.PAGES)
    assert too_wide == {}, too_wide
