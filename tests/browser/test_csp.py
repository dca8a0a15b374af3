"""The Content-Security-Policy in a real browser: every main page works signed in and the
browser reports no violation, the API docs included; an inline script is refused."""

from pprint import pformat

import pytest
from django.core.management import call_command
from django.urls import reverse

from initiatives.core.choices import HandoverStatus
from initiatives.models import (
    BusinessCase,
    HealthReport,
    Initiative,
    OwnershipHandover,
    PromotionRequest,
)
from tests.factories import UserFactory
from tests.support.browser import PASSWORD, sign_in
from tests.support.readiness import default_template, shipped_obligations
from tests.support.regulation import questionnaire

# Added before any page script runs (by the browser's debugging protocol, so the policy
# does not apply to it): every violation the page reports is kept for the test to read.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const where = `${e.sourceFile}:${e.lineNumber}`;
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${where}`);
});
"""


def main_pages() -> tuple[str, dict[str, list[str]]]:
    """The demo's pages a person uses, by who may open them, with an example of each kind of
    initiative page; and the slug of an initiative with health charts."""
    slug = HealthReport.objects.values_list("initiative__slug", flat=True).first()
    initiative = Initiative.objects.get(slug=slug)
    case = BusinessCase.objects.select_related("initiative").order_by("-version").first()
    milestone = initiative.milestone_records.select_related("milestone").first()
    handover = OwnershipHandover.objects.get(
        status=HandoverStatus.PENDING, to_owner__username="olga"
    )
    promotion = PromotionRequest.objects.get()
    demo = [
        reverse("portfolio"),
        reverse("portfolio") + "?business_unit=HR",
        reverse("my-work"),
        reverse("governance-queue"),
        reverse("initiative-list") + "?stage=pilot&ordering=name",
        reverse("initiative-create"),
        reverse("initiative-import"),
        reverse("email-list"),
        reverse("initiative-detail", args=[slug]),
        reverse("initiative-edit", args=[slug]),
        reverse("initiative-transition", args=[slug]),
        reverse("initiative-handover", args=[slug]),
        reverse("readiness", args=[slug]),
        reverse("milestone", args=[slug, milestone.milestone.key]),
        reverse("business-case-list", args=[case.initiative.slug]),
        reverse("business-case-detail", args=[case.initiative.slug, case.version]),
        reverse("business-case-create", args=[case.initiative.slug]),
        reverse("admin:index"),
        reverse("admin:initiatives_initiative_changelist"),
        reverse("admin:initiatives_initiative_change", args=[initiative.pk]),
        reverse("admin:initiatives_initiative_history", args=[initiative.pk]),
        reverse("admin:axes_accessattempt_changelist"),
        "/api/v1/initiatives/?stage=production",
        f"/api/v1/initiatives/{slug}/",
    ]
    return slug, {
        "demo": demo,
        "olga": [reverse("handover-answer", args=[handover.pk]), reverse("my-work")],
        "sofia": [reverse("promotion-review", args=[promotion.pk])],
    }


@pytest.mark.django_db(transaction=True)
def test_every_main_page_works_under_the_policy_in_a_real_browser(live_server, browser_page):
    default_template()
    shipped_obligations()  # what migrations loaded, an earlier transactional test removed
    questionnaire()
    call_command("seed_demo", force=True, stdout=None)
    page = browser_page
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    slug, pages_by_person = main_pages()

    problems = {}
    for username, pages in pages_by_person.items():
        page.context.clear_cookies()
        sign_in(page, live_server.url, username, password="demo")
        for path in pages:
            console.clear()
            response = page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("load")
            violations = page.evaluate("window.__violations")
            csp_console = [text for text in console if "Content Security Policy" in text]
            if response.status != 200 or violations or csp_console:
                problems[path] = (response.status, violations, csp_console)
            if path == reverse("initiative-detail", args=[slug]):
                assert page.locator("figure.chart svg polyline").count() > 0  # charts drawn
    assert problems == {}, pformat(problems, width=100)


@pytest.mark.django_db(transaction=True)
def test_the_api_docs_run_under_the_policy(live_server, browser_page):
    UserFactory(username="mei", password=PASSWORD)
    page = browser_page
    page.add_init_script(RECORD_VIOLATIONS)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, live_server.url, "mei")

    page.goto(f"{live_server.url}/api/docs/")
    # Swagger UI ran: it fetched the schema and drew the operations.
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Crossing API" in page.locator(".swagger-ui .info .title").inner_text()
    page.wait_for_selector(".opblock-summary-path")
    assert page.locator(".opblock-summary-path").count() > 10

    assert page.evaluate("window.__violations") == []
    assert [text for text in console if "Content Security Policy" in text] == []


@pytest.mark.django_db(transaction=True)
def test_an_inline_script_is_refused_by_the_browser(live_server, browser_page):
    UserFactory(username="mei", password=PASSWORD)
    page = browser_page
    page.add_init_script(RECORD_VIOLATIONS)
    sign_in(page, live_server.url, "mei")

    # What an injected <script> or style attribute would do, had one got past escaping.
    page.evaluate(
        """() => {
          const script = document.createElement("script");
          script.textContent = "window.__ran = true;";
          document.body.appendChild(script);
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red" id="styled">x</p>');
        }"""
    )
    page.wait_for_function("window.__violations.length >= 2")

    assert page.evaluate("window.__ran === undefined")
    violations = page.evaluate("window.__violations")
    assert any(v.startswith("script-src-elem inline") for v in violations), violations
    assert any(v.startswith("style-src-attr inline") for v in violations), violations
