"""Shared by the browser tests: headless Chromium from Debian, driven by Playwright."""

import os
import shutil

import pytest
from django.db import connections

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"no Chromium at {CHROMIUM} (Debian package 'chromium'; .ci/run installs it)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls in the test
    # body are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            page = browser.new_page()
            page.set_default_timeout(15_000)
            try:
                yield page
            finally:
                browser.close()
                # Playwright's greenlets give the ORM calls made meanwhile a context (and so a
                # database connection) of their own; close it so the test database can drop.
                connections.close_all()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    """A real OpenID Connect provider process (oidc-provider-mock) for the module's tests."""
    from tests.support.identity_provider import identity_provider

    with identity_provider(tmp_path_factory.mktemp("provider")) as running:
        yield running
