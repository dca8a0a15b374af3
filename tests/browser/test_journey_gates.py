"""A team moves its initiative to pilot, in a real browser (headless Chromium from Debian,
driven by Playwright): it works the checklist (milestones done with evidence), asks for a
waiver on one, tries to move, is refused with the unmet conditions grouped and linked,
follows a link, meets the condition there, and moves."""

import re

import pytest

from initiatives.core.choices import BusinessCaseStatus, MilestoneStatus, Stage
from initiatives.models import MilestoneRecord, ReadinessMilestone
from initiatives.readiness import services as readiness_services
from tests.factories import BusinessCaseFactory, InitiativeFactory, UserFactory
from tests.support.browser import PASSWORD, sign_in
from tests.support.readiness import default_template

# What the team records in the browser; the other pilot milestones were done before.
MARKED_IN_THE_BROWSER = ("unit-tests",)
WAIVER_ASKED = "benchmark-evaluation"
FORGOTTEN = "runbook"
CHECKLIST = re.compile(r"/initiatives/claims-triage/readiness/$")  # where a saved milestone leads


def milestone_page(page, base_url, title):
    """From the checklist, open a milestone by its title (the link the row shows)."""
    page.goto(f"{base_url}/initiatives/claims-triage/readiness/")
    page.get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(r"/readiness/[-a-z]+/$"))


def mark_done(page, evidence_url):
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Evidence link").fill(evidence_url)
    page.get_by_role("button", name="Save", exact=True).click()


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.django_db(transaction=True)
def test_a_team_is_refused_at_the_pilot_gate_follows_the_link_fixes_it_and_moves(
    live_server, browser_page
):
    page, base = browser_page, live_server.url
    mei = UserFactory(username="mei", password=PASSWORD, first_name="Mei", last_name="Chen")
    olga = UserFactory(username="olga", first_name="Olga", last_name="Petrova")
    sofia = UserFactory(username="sofia", first_name="Sofia", governance=True)
    initiative = InitiativeFactory(
        slug="claims-triage",
        name="Claims triage",
        stage=Stage.POC,
        members=[mei],
        production_owner=olga,
    )
    BusinessCaseFactory(initiative=initiative, status=BusinessCaseStatus.SUBMITTED)
    default_template()
    pilot = {
        m.key: m
        for m in ReadinessMilestone.objects.filter(
            template__is_default=True, required_for=Stage.PILOT
        )
    }
    for key, milestone in pilot.items():
        if key not in (*MARKED_IN_THE_BROWSER, WAIVER_ASKED, FORGOTTEN):
            MilestoneRecord.objects.create(
                initiative=initiative,
                milestone=milestone,
                status=MilestoneStatus.DONE,
                evidence_url="https://wiki.example.com/done-before",
            )

    sign_in(page, base, "mei")

    # The checklist: the team records what it did, with evidence.
    page.goto(f"{base}/initiatives/claims-triage/")
    page.get_by_role("link", name="The checklist").click()
    page.wait_for_url(f"{base}/initiatives/claims-triage/readiness/")
    for key in MARKED_IN_THE_BROWSER:
        milestone_page(page, base, pilot[key].title)
        mark_done(page, f"https://ci.example.com/claims-triage/{key}")
        page.wait_for_url(CHECKLIST)
    assert MilestoneRecord.objects.get(
        initiative=initiative, milestone=pilot["unit-tests"]
    ).status == (MilestoneStatus.DONE)

    # A milestone that does not apply yet: the team asks governance to waive it.
    milestone_page(page, base, pilot[WAIVER_ASKED].title)
    page.get_by_label("Reason").fill("A rules engine in the pilot: there is no model to benchmark.")
    page.get_by_role("button", name="Ask for a waiver").click()
    page.wait_for_url(CHECKLIST)
    asked = MilestoneRecord.objects.get(initiative=initiative, milestone=pilot[WAIVER_ASKED])
    assert asked.waiver_pending

    # The move to pilot is refused: what is missing, grouped, each a link.
    page.goto(f"{base}/initiatives/claims-triage/")
    page.get_by_role("link", name="Change stage").click()
    page.get_by_label("Move to").select_option("pilot")
    page.get_by_role("button", name="Move", exact=True).click()
    refusal = page.locator("section.refusal")
    refusal.wait_for()
    assert "Not moved to Pilot: 2 conditions unmet" in refusal.locator("h2").inner_text()
    assert refusal.locator("h3").all_inner_texts() == ["Readiness (2)"]
    assert refusal.locator(".unmet-group-name").all_inner_texts() == ["Testing", "Operations"]
    links = refusal.get_by_role("link")
    assert links.all_inner_texts() == [pilot[WAIVER_ASKED].title, pilot[FORGOTTEN].title]
    # Each condition once on the page: not repeated as a form error or in "what each move needs".
    assert page.get_by_text(pilot[FORGOTTEN].title, exact=True).count() == 1
    assert page.locator(".errors").count() == 0
    page.set_viewport_size({"width": 390, "height": 844})
    assert no_sideways_scroll(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    # Meanwhile governance grants the waiver the team asked for.
    readiness_services.milestone_waive(
        initiative=initiative, actor=sofia, key=WAIVER_ASKED, justification="No model yet."
    )

    # The team follows the link to the forgotten milestone and meets it there.
    refusal.get_by_role("link", name=pilot[FORGOTTEN].title).click()
    page.wait_for_url(f"{base}/initiatives/claims-triage/readiness/{FORGOTTEN}/")
    mark_done(page, "https://wiki.example.com/claims-triage/runbook")
    page.wait_for_url(CHECKLIST)

    # Now the move goes through.
    page.goto(f"{base}/initiatives/claims-triage/stage/")
    assert page.locator("#needs-pilot").count() == 1
    assert (
        "Ready"
        in page.locator("section.stage-needs", has=page.locator("#needs-pilot")).inner_text()
    )
    page.get_by_label("Move to").select_option("pilot")
    page.get_by_role("button", name="Move", exact=True).click()
    page.wait_for_url(f"{base}/initiatives/claims-triage/")
    assert "Moved to Pilot." in page.content()
    initiative.refresh_from_db()
    assert initiative.stage == Stage.PILOT
