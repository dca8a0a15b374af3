"""Stage transitions and their gates (README "Stages and gates")."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from initiatives.core.choices import BusinessCaseStatus, PromotionStatus, Stage
from initiatives.models import PromotionRequest, StageTransition
from initiatives.ownership import services as ownership_services
from initiatives.portfolio import gates
from initiatives.portfolio import services as portfolio_services
from initiatives.portfolio.gates import gate, gates_for, unmet_conditions
from tests.factories import (
    InitiativeFactory,
    PromotionRequestFactory,
    UserFactory,
)
from tests.support.gates import accepted_owner, approve_promotion, case

pytestmark = pytest.mark.django_db


def test_idea_to_poc_needs_nothing_and_is_recorded(initiative, contributor):
    before = initiative.stage_entered_at
    transition = portfolio_services.initiative_transition(
        initiative=initiative, actor=contributor, to_stage=Stage.POC, note="Kick-off"
    )
    initiative.refresh_from_db()
    assert initiative.stage == Stage.POC
    assert initiative.stage_entered_at == transition.at > before
    assert (transition.from_stage, transition.to_stage, transition.actor) == (
        Stage.IDEA,
        Stage.POC,
        contributor,
    )
    assert transition.note == "Kick-off"


def test_pilot_gate_refuses_without_a_named_owner(contributor):
    initiative = InitiativeFactory(stage=Stage.POC, members=[contributor])
    with pytest.raises(portfolio_services.TransitionRefused) as refused:
        portfolio_services.initiative_transition(
            initiative=initiative, actor=contributor, to_stage=Stage.PILOT
        )
    messages = refused.value.messages
    assert messages[:2] == ["Name a production owner.", "Submit a business case."]
    assert len([m for m in messages if m.startswith("Readiness milestone")]) == 9
    initiative.refresh_from_db()
    assert initiative.stage == Stage.POC
    assert not StageTransition.objects.exists()


@pytest.mark.parametrize(
    ("status", "passes"),
    [
        (BusinessCaseStatus.DRAFT, False),
        (BusinessCaseStatus.SUBMITTED, True),
        (BusinessCaseStatus.CHANGES_REQUESTED, False),
        (BusinessCaseStatus.REJECTED, False),
        (BusinessCaseStatus.APPROVED, True),
    ],
)
def test_pilot_needs_a_submitted_business_case(contributor, owner, status, passes):
    initiative = InitiativeFactory(stage=Stage.POC, members=[contributor], production_owner=owner)
    case(initiative, status)
    assert (unmet_conditions(initiative, Stage.PILOT) == []) is passes


def test_pilot_gate_passes_with_a_pending_owner(contributor, owner):
    initiative = InitiativeFactory(stage=Stage.POC, members=[contributor])
    case(initiative, BusinessCaseStatus.SUBMITTED)
    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    portfolio_services.initiative_transition(
        initiative=initiative, actor=contributor, to_stage=Stage.PILOT
    )
    initiative.refresh_from_db()
    assert initiative.stage == Stage.PILOT


def test_promotion_to_production_lists_every_unmet_condition(contributor, owner):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    with pytest.raises(portfolio_services.TransitionRefused) as refused:
        portfolio_services.initiative_transition(
            initiative=initiative, actor=contributor, to_stage=Stage.PRODUCTION
        )
    messages = refused.value.messages
    assert messages[0] == "A governance reviewer has not approved a business case."
    readiness = [m for m in messages if m.startswith("Readiness milestone not done or waived")]
    assert len(readiness) == 24  # every milestone of the default template, each named
    assert (
        "Readiness milestone not done or waived: Model serving and versioning — A rollback to "
        "the previous model version has been performed in the last 90 days and took under an "
        "hour." in readiness
    )
    assert messages[-2:] == [
        "The production owner has not accepted the handover yet.",
        "A governance reviewer has not approved the promotion to production.",
    ]


def test_promotion_to_production_passes_with_acceptance_and_approval(contributor, owner, reviewer):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    accepted_owner(initiative, owner)
    approve_promotion(initiative, reviewer)
    case(initiative)
    portfolio_services.initiative_transition(
        initiative=initiative, actor=contributor, to_stage=Stage.PRODUCTION
    )
    initiative.refresh_from_db()
    assert initiative.stage == Stage.PRODUCTION


def test_an_approval_from_an_earlier_pilot_does_not_count(contributor, owner, reviewer):
    initiative = InitiativeFactory(
        stage=Stage.PILOT, members=[contributor], stage_entered_at=timezone.now()
    )
    accepted_owner(initiative, owner)
    case(initiative)
    old = PromotionRequestFactory(
        initiative=initiative, status=PromotionStatus.APPROVED, reviewed_by=reviewer
    )
    PromotionRequest.objects.filter(pk=old.pk).update(
        requested_at=timezone.now() - timedelta(days=30)
    )
    assert unmet_conditions(initiative, Stage.PRODUCTION) == [
        "A governance reviewer has not approved the promotion to production."
    ]


def test_a_deactivated_owner_blocks_production(contributor, reviewer):
    gone = UserFactory(username="gone", is_active=False)
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    accepted_owner(initiative, gone)
    approve_promotion(initiative, reviewer)
    case(initiative)
    assert unmet_conditions(initiative, Stage.PRODUCTION) == [
        "The production owner's account is deactivated; name a new owner."
    ]


@pytest.mark.parametrize(
    ("from_stage", "to_stage", "reason"),
    [
        (
            Stage.IDEA,
            Stage.PILOT,
            "Stages are taken one at a time: from Idea the next is Proof of concept.",
        ),
        (
            Stage.IDEA,
            Stage.PRODUCTION,
            "Stages are taken one at a time: from Idea the next is Proof of concept.",
        ),
        (
            Stage.POC,
            Stage.RETIRED,
            "Stages are taken one at a time: from Proof of concept the next is Pilot.",
        ),
        (Stage.POC, Stage.POC, "The initiative is already in Proof of concept."),
        (Stage.RETIRED, Stage.PRODUCTION, "Retired is final; the initiative cannot move any more."),
        (Stage.CANCELLED, Stage.IDEA, "Cancelled is final; the initiative cannot move any more."),
        (Stage.PRODUCTION, Stage.CANCELLED, "A system in production is retired, not cancelled."),
        (Stage.PILOT, Stage.POC, "A move backwards needs a note saying why."),
        (Stage.POC, Stage.CANCELLED, "Say why the initiative is cancelled (a note)."),
        (
            Stage.IDEA,
            "launched",
            "'launched' is not a stage. Stages: idea, poc, pilot, production, retired, cancelled.",
        ),
    ],
)
def test_refused_moves_say_why(contributor, from_stage, to_stage, reason):
    initiative = InitiativeFactory(stage=from_stage, members=[contributor])
    with pytest.raises(portfolio_services.TransitionRefused) as refused:
        portfolio_services.initiative_transition(
            initiative=initiative, actor=contributor, to_stage=to_stage
        )
    assert refused.value.messages == [reason]
    initiative.refresh_from_db()
    assert initiative.stage == from_stage


@pytest.mark.parametrize(
    ("from_stage", "to_stage"),
    [
        (Stage.PRODUCTION, Stage.PILOT),
        (Stage.PILOT, Stage.POC),
        (Stage.POC, Stage.IDEA),
        (Stage.PRODUCTION, Stage.IDEA),
        (Stage.IDEA, Stage.CANCELLED),
        (Stage.POC, Stage.CANCELLED),
        (Stage.PILOT, Stage.CANCELLED),
        (Stage.PRODUCTION, Stage.RETIRED),
    ],
)
def test_allowed_moves_without_gates(contributor, from_stage, to_stage):
    initiative = InitiativeFactory(stage=from_stage, members=[contributor])
    portfolio_services.initiative_transition(
        initiative=initiative, actor=contributor, to_stage=to_stage, note="After an incident"
    )
    initiative.refresh_from_db()
    assert initiative.stage == to_stage
    assert initiative.transitions.get().note == "After an incident"


def test_a_viewer_cannot_change_the_stage(initiative, viewer):
    with pytest.raises(PermissionDenied):
        portfolio_services.initiative_transition(
            initiative=initiative, actor=viewer, to_stage=Stage.POC
        )
    initiative.refresh_from_db()
    assert initiative.stage == Stage.IDEA


def test_a_later_feature_adds_a_gate_without_touching_the_transition_code(contributor):
    @gate(Stage.POC)
    def charter_written(initiative):
        return [] if "charter" in initiative.summary else ["Write a charter."]

    try:
        initiative = InitiativeFactory(stage=Stage.IDEA, summary="", members=[contributor])
        with pytest.raises(portfolio_services.TransitionRefused) as refused:
            portfolio_services.initiative_transition(
                initiative=initiative, actor=contributor, to_stage=Stage.POC
            )
        assert refused.value.messages == ["Write a charter."]
    finally:
        pass

        gates._GATES[Stage.POC].remove(charter_written)
    assert charter_written not in gates_for(Stage.POC)
