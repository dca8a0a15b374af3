"""axe-core finds no serious or critical accessibility problem on any page a person uses
(`tests/support/pages.py`), at a desktop's and a phone's width, in the light and the dark
colour scheme (the portal follows the system's setting: static/css/portal.css).

axe-core's script comes inside the `axe-playwright-python` package; nothing is fetched while
the test runs. One browser, one live server, one page reused for every address: each address
is loaded once and checked four times (two widths, two schemes), which the browser redraws
without a reload.
"""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.support import pages
from tests.support.browser import sign_in

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
BLOCKING = {"serious", "critical"}


def blocking_violations(page, where: str) -> list[str]:
    """One line per element axe finds a serious or critical problem with: rule, element,
    where (page, width, scheme), and axe's own summary of what is wrong.

    axe-core is added to the page once per load (`Axe().run` would add its 570 kB again for
    each of the four checks)."""
    if not page.evaluate("typeof window.axe === 'object'"):
        page.evaluate(Axe().axe_script)
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    found = []
    for violation in results["violations"]:
        if violation["impact"] not in BLOCKING:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = node.get("failureSummary", "").replace("\n", " ")
            found.append(
                f"{violation['id']} ({violation['impact']}) {target} on {where}: {summary}"
            )
    return found


def open_page(page, base_url: str, entry: pages.Page, objects: dict) -> str:
    address = entry.address(objects)
    response = page.goto(base_url + address)
    assert response.status == entry.status, (entry.name, address, response.status)
    if entry.name == "API docs":  # Swagger UI draws the operations after fetching the schema
        page.wait_for_selector(".opblock-summary-path")
    return address


@pytest.mark.django_db(transaction=True)
def test_no_page_has_a_serious_accessibility_problem(live_server, browser_page):
    page = browser_page
    objects = pages.build()

    problems: list[str] = []
    checked = 0
    for who, entries in pages.by_person().items():
        page.context.clear_cookies()
        if who is not None:
            sign_in(page, live_server.url, who)
        for entry in entries:
            page.set_viewport_size(WIDTHS["desktop"])
            page.emulate_media(color_scheme="light")
            address = open_page(page, live_server.url, entry, objects)
            for width, size in WIDTHS.items():
                page.set_viewport_size(size)
                # The page's resize handlers (a table that now overflows gets its tab stop,
                # static/js/tables.js) run before the next frame is drawn: wait for two, as a
                # person would, or a loaded machine lets axe look first.
                page.evaluate(
                    "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))"
                )
                # At either width the page never scrolls sideways (wide tables scroll in
                # their own box); the phone-width test checks the same at 390 px alone.
                scroll_width = page.evaluate("document.documentElement.scrollWidth")
                if scroll_width > size["width"]:
                    problems.append(
                        f"scrolls sideways ({scroll_width} px) on {entry.name} ({width})"
                    )
                for scheme in SCHEMES:
                    page.emulate_media(color_scheme=scheme)
                    where = f"{entry.name} {address} ({width}, {scheme})"
                    problems += blocking_violations(page, where)
                    checked += 1

    assert checked == len(pages.PAGES) * len(WIDTHS) * len(SCHEMES)
    print("\n".join(problems))
    assert problems == [], "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_the_accessibility_check_finds_a_real_problem(live_server, browser_page):
    """The check above is not blind: a button with no name and grey-on-grey text on the
    profile page are reported, with their rule and element."""
    page = browser_page
    pages.build()
    sign_in(page, live_server.url, "tomas")
    page.goto(live_server.url + "/accounts/profile/")
    page.evaluate(
        """() => {
          const main = document.querySelector("main");
          main.insertAdjacentHTML("beforeend", '<button id="nameless"></button>');
          const faint = document.createElement("p");
          faint.id = "faint";
          faint.textContent = "Hard to read";
          faint.style.color = "#bbb";
          main.appendChild(faint);
        }"""
    )

    found = blocking_violations(page, "profile")

    assert any(line.startswith("button-name (critical) #nameless") for line in found), found
    assert any(line.startswith("color-contrast (serious) #faint") for line in found), found


@pytest.mark.django_db(transaction=True)
def test_the_colours_follow_the_systems_light_or_dark_setting(live_server, browser_page):
    page = browser_page
    page.goto(live_server.url + "/accounts/login/")
    colours = (
        "[getComputedStyle(document.body).backgroundColor, getComputedStyle(document.body).color]"
    )

    page.emulate_media(color_scheme="light")
    light_background, light_text = page.evaluate(colours)
    page.emulate_media(color_scheme="dark")
    dark_background, dark_text = page.evaluate(colours)

    assert (light_background, light_text) == ("rgb(245, 246, 248)", "rgb(29, 35, 48)")
    assert (dark_background, dark_text) == ("rgb(17, 21, 28)", "rgb(228, 232, 239)")
