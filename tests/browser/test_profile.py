"""The profile page in the browser: a new API token is shown once, with a button that copies
it (static/js/copy.js: a file, as the CSP wants) and then says "Copied"."""

import pytest

from initiatives.models import ApiTokenInfo
from tests.factories import UserFactory
from tests.support.browser import PASSWORD, sign_in


@pytest.mark.django_db(transaction=True)
def test_copy_button_copies_the_new_token_and_says_copied(live_server, browser_page):
    UserFactory(username="mei", password=PASSWORD)
    page = browser_page
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server.url, "mei")

    page.goto(f"{live_server.url}/accounts/profile/")
    page.fill("#id_name", "nightly export")
    page.click("text=Create token")
    key = page.locator("#new-token-key").inner_text().strip()
    button = page.get_by_role("button", name="Copy")
    button.click()

    page.wait_for_function("document.querySelector('button[data-copy]').textContent === 'Copied'")
    assert page.evaluate("navigator.clipboard.readText()") == key
    assert page.locator("#new-token-copied").inner_text() == "The token is copied."
    assert key.startswith(ApiTokenInfo.objects.get(name="nightly export").token.token_key)
    # Listed as not used yet, and the key is not shown again.
    page.goto(f"{live_server.url}/accounts/profile/")
    assert "never used" in page.locator("#tokens tbody tr").inner_text()
    assert key not in page.content()
