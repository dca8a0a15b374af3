"""The pilot gate enforces the checklist's "Required for pilot" (README "Stages and gates"):
what the portal labels as required is what it asks for, on the page and in the API."""

import pytest
from django.urls import reverse

from initiatives.core.choices import BusinessCaseStatus, MilestoneStatus, Stage
from initiatives.models import MilestoneRecord, ReadinessMilestone, StageTransition
from initiatives.portfolio import services as portfolio_services
from initiatives.portfolio.gates import unmet_conditions
from tests.factories import (
    BusinessCaseFactory,
    InitiativeFactory,
    MilestoneRecordFactory,
    ReadinessMilestoneFactory,
    ReadinessTemplateFactory,
)
from tests.support.clients import api_client_for, client_for

pytestmark = pytest.mark.django_db


def pilot_milestones():
    return list(
        ReadinessMilestone.objects.filter(
            template__is_default=True, required_for=Stage.PILOT, active=True
        ).order_by("order", "key")
    )


@pytest.fixture
def ready_but_for_readiness(contributor, owner):
    """A proof of concept with an owner and a submitted case: only readiness is left."""
    initiative = InitiativeFactory(
        slug="claims-triage", stage=Stage.POC, members=[contributor], production_owner=owner
    )
    BusinessCaseFactory(initiative=initiative, status=BusinessCaseStatus.SUBMITTED)
    return initiative


def record(initiative, milestone, status=MilestoneStatus.DONE):
    return MilestoneRecordFactory(
        initiative=initiative,
        milestone=milestone,
        status=status,
        evidence_url="https://ci.example.com/run/7",
        justification="Not applicable." if status == MilestoneStatus.WAIVED else "",
    )


def test_the_default_template_asks_nine_milestones_for_pilot():
    assert len(pilot_milestones()) == 9


def test_pilot_with_one_of_nine_milestones_done_is_refused_naming_the_eight_missing(
    ready_but_for_readiness, contributor
):
    first, *missing = pilot_milestones()
    record(ready_but_for_readiness, first)
    with pytest.raises(portfolio_services.TransitionRefused) as refused:
        portfolio_services.initiative_transition(
            initiative=ready_but_for_readiness, actor=contributor, to_stage=Stage.PILOT
        )
    assert refused.value.messages == [
        f"Readiness milestone not done or waived: {m.domain} — {m.title}" for m in missing
    ]
    assert [c.fix_url for c in refused.value.unmet] == [
        reverse("milestone", args=["claims-triage", m.key]) for m in missing
    ]
    assert {c.domain for c in refused.value.unmet} == {"Readiness"}
    ready_but_for_readiness.refresh_from_db()
    assert ready_but_for_readiness.stage == Stage.POC
    assert not StageTransition.objects.exists()


def test_pilot_is_allowed_with_every_pilot_milestone_done_or_waived(
    ready_but_for_readiness, contributor
):
    milestones = pilot_milestones()
    for index, milestone in enumerate(milestones):
        record(
            ready_but_for_readiness,
            milestone,
            MilestoneStatus.WAIVED if index % 3 == 0 else MilestoneStatus.DONE,
        )
    # Production's milestones are not pilot's business.
    assert not MilestoneRecord.objects.filter(milestone__required_for=Stage.PRODUCTION).exists()
    portfolio_services.initiative_transition(
        initiative=ready_but_for_readiness, actor=contributor, to_stage=Stage.PILOT
    )
    ready_but_for_readiness.refresh_from_db()
    assert ready_but_for_readiness.stage == Stage.PILOT


@pytest.mark.parametrize(
    "status", [MilestoneStatus.NOT_STARTED, MilestoneStatus.IN_PROGRESS], ids=str
)
def test_a_pilot_milestone_started_but_not_done_still_blocks(ready_but_for_readiness, status):
    *done, last = pilot_milestones()
    for milestone in done:
        record(ready_but_for_readiness, milestone)
    record(ready_but_for_readiness, last, status)
    assert unmet_conditions(ready_but_for_readiness, Stage.PILOT) == [
        f"Readiness milestone not done or waived: {last.domain} — {last.title}"
    ]


def test_a_waiver_requested_but_not_granted_still_blocks(ready_but_for_readiness, contributor):
    from initiatives.readiness import services as readiness_services

    *done, asked = pilot_milestones()
    for milestone in done:
        record(ready_but_for_readiness, milestone)
    readiness_services.milestone_waiver_request(
        initiative=ready_but_for_readiness, actor=contributor, key=asked.key, reason="No model."
    )
    assert len(unmet_conditions(ready_but_for_readiness, Stage.PILOT)) == 1


def test_an_initiatives_own_template_sets_what_pilot_asks(contributor, owner):
    template = ReadinessTemplateFactory()
    asked = ReadinessMilestoneFactory(template=template, required_for=Stage.PILOT)
    ReadinessMilestoneFactory(template=template, required_for=Stage.PRODUCTION)
    ReadinessMilestoneFactory(template=template, required_for=Stage.PILOT, active=False)
    initiative = InitiativeFactory(
        stage=Stage.POC, members=[contributor], production_owner=owner, readiness_template=template
    )
    BusinessCaseFactory(initiative=initiative, status=BusinessCaseStatus.SUBMITTED)
    assert unmet_conditions(initiative, Stage.PILOT) == [
        f"Readiness milestone not done or waived: {asked.domain} — {asked.title}"
    ]
    record(initiative, asked)
    assert unmet_conditions(initiative, Stage.PILOT) == []


# --- The same rule through the API and the page ---------------------------------------------


def test_the_api_refuses_pilot_with_one_of_nine_done_and_lists_the_missing(
    ready_but_for_readiness, contributor
):
    first, *missing = pilot_milestones()
    record(ready_but_for_readiness, first)
    response = api_client_for(contributor).post(
        "/api/v1/initiatives/claims-triage/transition/", {"to_stage": "pilot"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert len(body["to_stage"]) == 8
    assert [c["title"] for c in body["unmet_conditions"]] == [m.title for m in missing]
    assert [c["group"] for c in body["unmet_conditions"]] == [m.domain for m in missing]
    assert body["unmet_conditions"][0]["fix_url"] == (
        f"http://testserver/initiatives/claims-triage/readiness/{missing[0].key}/"
    )
    assert not StageTransition.objects.exists()


def test_the_api_moves_to_pilot_once_every_pilot_milestone_is_done_or_waived(
    ready_but_for_readiness, contributor
):
    for index, milestone in enumerate(pilot_milestones()):
        record(
            ready_but_for_readiness,
            milestone,
            MilestoneStatus.WAIVED if index == 0 else MilestoneStatus.DONE,
        )
    response = api_client_for(contributor).post(
        "/api/v1/initiatives/claims-triage/transition/", {"to_stage": "pilot"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["to_stage"] == "pilot"


def test_the_stage_page_refuses_pilot_with_one_of_nine_done(ready_but_for_readiness, contributor):
    first, *missing = pilot_milestones()
    record(ready_but_for_readiness, first)
    response = client_for(contributor).post(
        reverse("initiative-transition", args=["claims-triage"]), {"to_stage": "pilot"}
    )
    assert response.status_code == 200
    assert response.context["refusal"]["count"] == 8
    page = response.content.decode()
    for milestone in missing:
        assert reverse("milestone", args=["claims-triage", milestone.key]) in page
    ready_but_for_readiness.refresh_from_db()
    assert ready_but_for_readiness.stage == Stage.POC
