"""The decision journeys in a real browser (headless Chromium, driven by Playwright), as
the person clicks: the governance lead reviews a business case and a promotion with the
evidence on the page; the incoming owner accepts a handover from the e-mailed link; a
returned business case is revised and submitted again (issue 15)."""

import re
from datetime import timedelta
from decimal import Decimal
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from initiatives.business_cases import services as case_services
from initiatives.core import formats
from initiatives.core.choices import (
    BusinessCaseStatus,
    EmailKind,
    FlagKind,
    HandoverStatus,
    PromotionStatus,
    RiskTier,
    Stage,
)
from initiatives.models import BusinessCase, EmailRecord, OwnershipHandover, PromotionRequest
from initiatives.outbox.rendering import render
from initiatives.ownership import services as ownership_services
from tests.factories import BusinessCaseFactory, InitiativeFactory, UserFactory
from tests.factories.health import HealthReportFactory
from tests.factories.readiness import ReadinessMilestoneFactory, ReadinessTemplateFactory
from tests.factories.watch import FlagFactory
from tests.support.browser import PASSWORD, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def people():
    return {
        "gina": UserFactory(
            username="gina",
            first_name="Gina",
            last_name="Governance",
            password=PASSWORD,
            governance=True,
        ),
        "carla": UserFactory(
            username="carla", first_name="Carla", last_name="Contributor", password=PASSWORD
        ),
        "olga": UserFactory(username="olga", first_name="Olga", last_name="Owner"),
    }


def checklist():
    """A small checklist of our own: the migrations' default is gone in a transactional test."""
    template = ReadinessTemplateFactory(key="journey", name="Journey checklist")
    ReadinessMilestoneFactory(
        template=template, key="runbook", domain="Operations", title="A runbook exists."
    )
    ReadinessMilestoneFactory(
        template=template,
        key="rollback",
        domain="Model serving",
        title="Rollback is tested.",
        required_for=Stage.PRODUCTION,
    )
    return template


def link_in(record: EmailRecord, pattern: str) -> str:
    """The path of the link the e-mail gives (its host is PORTAL_BASE_URL, not the test's)."""
    url = re.search(pattern, render(record).body).group(1)
    return urlparse(url).path


def no_decision_chosen(page) -> bool:
    return page.locator("input[name=decision]:checked").count() == 0


def test_the_governance_lead_reviews_a_case_and_a_promotion_on_their_evidence(
    live_server, browser_page
):
    page = browser_page
    who = people()
    template = checklist()
    fraud = InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        stage=Stage.POC,
        members=[who["carla"]],
        production_owner=who["olga"],
        owner_accepted_at=timezone.now(),
        readiness_template=template,
    )
    BusinessCaseFactory(
        initiative=fraud,
        version=1,
        status=BusinessCaseStatus.CHANGES_REQUESTED,
        created_by=who["carla"],
    )
    BusinessCaseFactory(
        initiative=fraud,
        version=2,
        status=BusinessCaseStatus.SUBMITTED,
        created_by=who["carla"],
        submitted_by=who["carla"],
        submitted_at=timezone.now(),
        reviewed_at=None,
        costs_reduced=Decimal("65000.00"),
    )
    claims = InitiativeFactory(
        slug="claims-triage",
        name="Claims triage",
        stage=Stage.PILOT,
        members=[who["carla"]],
        production_owner=who["olga"],
        owner_accepted_at=timezone.now(),
        readiness_template=template,
    )
    BusinessCaseFactory(
        initiative=claims,
        version=1,
        status=BusinessCaseStatus.APPROVED,
        reviewed_by=UserFactory(username="earlier", governance=True),
    )
    HealthReportFactory(
        initiative=claims, observed_at=timezone.now() - timedelta(days=2), availability=99.0
    )
    FlagFactory(initiative=claims, kind=FlagKind.STALLED)
    promotion = ownership_services.promotion_request_create(
        initiative=claims, actor=who["carla"], note="The pilot met its targets."
    )

    sign_in(page, live_server.url, "gina")
    page.goto(f"{live_server.url}/governance/")
    page.get_by_role("link", name="Fraud scoring, version 2").click()
    page.wait_for_url(re.compile(r"/fraud-scoring/business-case/v2/$"))

    # The evidence beside the decision.
    assert page.get_by_text("Total annual benefit").first.is_visible()
    assert page.get_by_text("Changes since version 1").first.is_visible()
    assert page.locator("text=EUR 65,000").first.is_visible()
    assert page.get_by_text(re.compile(r"0 of 1 milestones pilot requires")).first.is_visible()
    assert page.get_by_text("Olga Owner, accepted on").first.is_visible()
    assert page.get_by_text("Who can decide:").first.is_visible()
    assert no_decision_chosen(page)

    # A rejection without a comment is refused on the comment, nothing lost.
    page.get_by_label("Reject", exact=True).check()
    page.get_by_role("button", name="Record review").click()
    assert page.locator("#id_comment_error").inner_text() == (
        "Say what is wrong, so the team can act on it."
    )
    assert page.get_by_label("Reject", exact=True).is_checked()
    assert BusinessCase.objects.get(initiative=fraud, version=2).status == "submitted"

    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record review").click()
    page.wait_for_url(re.compile(r"/fraud-scoring/business-case/v2/$"))
    assert page.get_by_text("Your review is recorded").first.is_visible()
    assert BusinessCase.objects.get(initiative=fraud, version=2).status == "approved"

    # The promotion, from the queue, with its evidence.
    page.goto(f"{live_server.url}/governance/")
    page.get_by_role("link", name="Claims triage").first.click()
    page.wait_for_url(re.compile(rf"/promotions/{promotion.pk}/"))
    for heading in (
        "Readiness for production",
        "Approved business case",
        "Ownership",
        "Health, last 30 days",
        "Open flags",
        "What would still block the move after approval",
    ):
        assert page.get_by_role("heading", name=heading).is_visible(), heading
    assert page.get_by_role("link", name="Rollback is tested.").first.is_visible()
    assert page.get_by_text("1 report in the last 30 days").first.is_visible()
    assert page.get_by_text("Stalled", exact=True).first.is_visible()
    assert no_decision_chosen(page)

    page.get_by_label("Approve", exact=True).check()
    page.get_by_role("button", name="Record review").click()
    page.wait_for_url(re.compile(rf"/promotions/{promotion.pk}/"))
    assert page.get_by_role("heading", name="What happens next").is_visible()
    message = page.locator(".messages, [role=status]").first.inner_text()
    assert "Promotion approved. Olga Owner, Carla Contributor may now move Claims triage" in (
        message
    )
    assert page.get_by_text("The move to production is still blocked by:").first.is_visible()
    assert PromotionRequest.objects.get(pk=promotion.pk).status == PromotionStatus.APPROVED


def test_the_incoming_owner_accepts_a_handover_from_the_emailed_link(live_server, browser_page):
    page = browser_page
    who = people()
    nina = UserFactory(username="nina", first_name="Nina", last_name="Nominee", password=PASSWORD)
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        stage=Stage.PILOT,
        members=[who["carla"]],
        risk_tier=RiskTier.HIGH,
        readiness_template=checklist(),
    )
    BusinessCaseFactory(initiative=initiative, version=1, status=BusinessCaseStatus.APPROVED)
    handover = ownership_services.handover_start(
        initiative=initiative, actor=who["carla"], to_owner=nina
    )
    email = EmailRecord.objects.get(kind=EmailKind.HANDOVER_REQUEST, handover=handover)

    sign_in(page, live_server.url, "nina")
    page.goto(live_server.url + link_in(email, r"Accept or decline: (\S+)"))

    assert page.get_by_role(
        "heading", name="Will you own Fraud scoring in production?"
    ).is_visible()
    assert page.get_by_text("High", exact=True).first.is_visible()
    run_cost = BusinessCase.objects.get(initiative=initiative).figures.annual_run_cost
    assert page.get_by_text(formats.money(run_cost, "EUR")).first.is_visible()
    assert page.get_by_text("Every 90 days you re-confirm").first.is_visible()
    assert no_decision_chosen(page)

    page.get_by_label("Accept ownership").check()
    page.get_by_label("My team has the skills to run this system in production.").check()
    page.get_by_label("My team has the mandate to run it.").check()
    page.get_by_label("My team has the budget to run it.").check()
    page.get_by_role("button", name="Send my answer").click()
    page.wait_for_url(re.compile(r"/initiatives/fraud-scoring/$"))
    assert page.get_by_text("You now own this system in production.").first.is_visible()
    assert OwnershipHandover.objects.get(pk=handover.pk).status == HandoverStatus.ACCEPTED


def test_a_returned_case_is_revised_and_submitted_again(live_server, browser_page):
    page = browser_page
    who = people()
    initiative = InitiativeFactory(
        slug="fraud-scoring", name="Fraud scoring", stage=Stage.POC, members=[who["carla"]]
    )
    case = BusinessCaseFactory(
        initiative=initiative,
        version=1,
        status=BusinessCaseStatus.SUBMITTED,
        created_by=who["carla"],
        submitted_by=who["carla"],
        submitted_at=timezone.now(),
        reviewed_at=None,
    )
    case_services.business_case_review(
        case=case, actor=who["gina"], decision="request_changes", comment="Show the hours."
    )
    email = EmailRecord.objects.get(kind=EmailKind.CASE_REVIEWED, business_case=case)

    sign_in(page, live_server.url, "carla")
    page.goto(live_server.url + link_in(email, r"The business case: (\S+)"))
    assert page.get_by_text("Show the hours.").first.is_visible()

    page.get_by_role("button", name="Revise").click()
    page.wait_for_url(re.compile(r"/business-case/v2/edit/$"))
    page.fill("#id_costs_reduced", "70000")
    page.click("button[name=action][value=submit]")
    page.wait_for_url(re.compile(r"/business-case/v2/$"))

    revised = BusinessCase.objects.get(initiative=initiative, version=2)
    assert revised.status == BusinessCaseStatus.SUBMITTED
    assert revised.costs_reduced == Decimal("70000")
    assert BusinessCase.objects.get(pk=case.pk).status == BusinessCaseStatus.CHANGES_REQUESTED
