"""A refused stage change (README "Stages and gates"): every unmet condition once, grouped by
domain, each a link to the page where the team meets it."""

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from initiatives.core.choices import BusinessCaseStatus, PromotionStatus, Stage
from initiatives.core.people import display_name
from initiatives.ownership import services as ownership_services
from initiatives.portfolio.gates import (
    BUSINESS_CASE,
    OTHER,
    OWNERSHIP,
    READINESS,
    Unmet,
    grouped,
    unmet,
)
from tests.factories import (
    BusinessCaseFactory,
    InitiativeFactory,
    PromotionRequestFactory,
    UserFactory,
    complete_readiness,
)
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db


def stage_url(initiative):
    return reverse("initiative-transition", args=[initiative.slug])


def refusal_section(page: str) -> str:
    start = page.index('<section class="refusal"')
    return page[start : page.index("</section>", start)]


@pytest.fixture
def pilot(contributor, owner):
    """In pilot, owner named but not yet accepted, nothing else done for production."""
    initiative = InitiativeFactory(slug="claims-triage", stage=Stage.PILOT, members=[contributor])
    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    return initiative


# --- The grouping itself (pure) --------------------------------------------------------------


def test_conditions_are_grouped_in_the_domains_order_and_by_readiness_domain():
    conditions = [
        Unmet(domain=READINESS, message="a", group="Security"),
        Unmet(domain="Promotion", message="b"),
        Unmet(domain=READINESS, message="c", group="Testing"),
        Unmet(domain=OWNERSHIP, message="d"),
        Unmet(domain=READINESS, message="e", group="Security"),
        Unmet(domain=OTHER, message="f"),
    ]
    domains = grouped(conditions)
    assert [d.name for d in domains] == [OWNERSHIP, READINESS, "Promotion", OTHER]
    readiness = domains[1]
    assert [(g.name, [c.message for c in g.conditions]) for g in readiness.groups] == [
        ("Security", ["a", "e"]),
        ("Testing", ["c"]),
    ]
    assert readiness.count == 3


def test_a_condition_two_gates_report_is_listed_once(contributor):
    from initiatives.portfolio.gates import _GATES, gate

    @gate(Stage.POC)
    def charter(initiative):
        return ["Write a charter."]

    @gate(Stage.POC)
    def charter_again(initiative):
        return ["Write a charter."]

    try:
        initiative = InitiativeFactory(stage=Stage.IDEA, members=[contributor])
        assert [c.message for c in unmet(initiative, Stage.POC)] == ["Write a charter."]
        assert unmet(initiative, Stage.POC)[0].domain == OTHER  # an older gate's sentence
    finally:
        _GATES[Stage.POC].remove(charter)
        _GATES[Stage.POC].remove(charter_again)


# --- The page -------------------------------------------------------------------------------


def test_a_refused_move_to_production_is_listed_once_grouped_with_headings(pilot, contributor):
    response = client_for(contributor).post(
        stage_url(pilot), {"to_stage": "production", "note": ""}
    )
    assert response.status_code == 200
    page = response.content.decode()
    # Not also as the form's error list (it was printed twice, once there).
    assert 'class="errors"' not in page
    assert "Readiness milestone not done or waived" not in page
    refusal = refusal_section(page)
    assert "Not moved to Production: 27 conditions unmet" in refusal
    headings = re.findall(r'<h3 class="unmet-domain">([^<]+)', refusal)
    assert [h.strip() for h in headings] == ["Ownership", "Business case", "Readiness", "Promotion"]
    groups = re.findall(r'<span class="unmet-group-name">([^<]+)</span>', refusal)
    assert groups == [
        "Compute orchestration",
        "Data pipeline",
        "Model serving and versioning",
        "Security",
        "Observability",
        "Testing",
        "Operations",
    ]
    for key in ("automated-deploy", "tested-rollback", "runbook"):
        url = reverse("milestone", args=["claims-triage", key])
        assert page.count(f'href="{url}"') == 1, key
    # The other moves (back, cancel) are still explained, below, without production's list.
    assert [n["stage"] for n in response.context["needs"]] == ["idea", "poc", "cancelled"]


def test_the_refusal_names_what_is_missing_in_each_domain(pilot, contributor, owner):
    BusinessCaseFactory(initiative=pilot, status=BusinessCaseStatus.DRAFT, version=1)
    PromotionRequestFactory(initiative=pilot, status=PromotionStatus.PENDING)
    response = client_for(contributor).post(stage_url(pilot), {"to_stage": "production"})
    refusal = refusal_section(response.content.decode())
    assert f"{escape(display_name(owner))} has not accepted the handover yet" in refusal
    assert "Submit draft version 1 of the business case for review" in refusal
    assert "The promotion request awaits a governance reviewer" in refusal
    assert f'href="{reverse("business-case-edit", args=["claims-triage", 1])}"' in refusal


def test_every_link_in_a_refusal_opens_for_a_team_member(contributor, owner):
    """Whatever state the initiative is in, the page each condition links to answers the
    team (never a 403 or a 404)."""
    situations = []
    bare = InitiativeFactory(slug="bare", stage=Stage.POC, members=[contributor])
    situations.append((bare, Stage.PILOT))
    drafted = InitiativeFactory(slug="drafted", stage=Stage.POC, members=[contributor])
    BusinessCaseFactory(initiative=drafted, status=BusinessCaseStatus.DRAFT)
    situations.append((drafted, Stage.PILOT))
    returned = InitiativeFactory(slug="returned", stage=Stage.PILOT, members=[contributor])
    BusinessCaseFactory(initiative=returned, status=BusinessCaseStatus.CHANGES_REQUESTED)
    ownership_services.handover_start(initiative=returned, actor=contributor, to_owner=owner)
    situations.append((returned, Stage.PRODUCTION))
    waiting = InitiativeFactory(slug="waiting", stage=Stage.PILOT, members=[contributor])
    BusinessCaseFactory(initiative=waiting, status=BusinessCaseStatus.SUBMITTED)
    PromotionRequestFactory(initiative=waiting, status=PromotionStatus.PENDING)
    gone = UserFactory(username="gone", is_active=False)
    waiting.production_owner = gone
    waiting.save()
    situations.append((waiting, Stage.PRODUCTION))

    client = client_for(contributor)
    checked = set()
    for initiative, stage in situations:
        conditions = unmet(initiative, stage)
        assert conditions, initiative.slug
        for condition in conditions:
            assert condition.fix_url, condition
            path = condition.fix_url.split("#")[0]
            if path not in checked:
                assert client.get(path).status_code == 200, condition
                checked.add(path)
    domains = {c.domain for i, s in situations for c in unmet(i, s)}
    assert domains == {"Ownership", BUSINESS_CASE, READINESS, "Promotion"}
    assert len(checked) > 30  # every milestone page, and each kind of fix


def test_a_refusal_about_the_move_itself_stays_on_the_form(contributor):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    response = client_for(contributor).post(stage_url(initiative), {"to_stage": "poc"})
    assert response.context["refusal"] is None
    assert response.context["form"].non_field_errors() == [
        "A move backwards needs a note saying why."
    ]


def test_the_stage_page_reads_each_stage_in_a_bounded_number_of_queries(
    pilot, contributor, django_assert_max_num_queries
):
    complete_readiness(pilot, required_for=Stage.PILOT)
    client = client_for(contributor)
    client.get(stage_url(pilot))  # warm the session and the content types
    # session, user, initiative, the gates of each of four reachable stages (readiness: 3;
    # the EU AI Act classification: 1)
    with django_assert_max_num_queries(21):
        response = client.post(stage_url(pilot), {"to_stage": "production"})
    assert response.context["refusal"]["count"] == 18  # production's 15, case, owner, approval
