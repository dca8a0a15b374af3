"""Submitting, confirming and returning a classification; its gate and its flag (README
"Regulation")."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import timezone

from initiatives.core.choices import ClassificationStatus, EventKind, FlagKind, Stage
from initiatives.core.events import render_events
from initiatives.models import Classification, Flag, InitiativeEvent
from initiatives.portfolio import services as portfolio_services
from initiatives.regulation import selectors, services
from tests.factories import ClassificationFactory, InitiativeFactory, UserFactory
from tests.support.regulation import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(contributor):
    """A governance reviewer on the team, a sponsor in governance, and one reviewer off it."""
    member_reviewer = UserFactory(username="member-reviewer", governance=True)
    sponsor = UserFactory(username="sponsor", governance=True)
    initiative = InitiativeFactory(
        slug="cv-screening",
        name="CV screening",
        members=[contributor, member_reviewer],
        sponsor=sponsor,
    )
    return initiative, member_reviewer, sponsor


def submit(initiative, actor, **given):
    return services.classification_submit(
        initiative=initiative, actor=actor, answers=answers(**given)
    )


def test_submitting_stores_the_derived_result_and_puts_it_on_the_timeline(team, contributor):
    initiative, *_ = team

    c = submit(initiative, contributor, role="provider", annex_iii="p4a")

    assert (c.version, c.status, c.category) == (1, ClassificationStatus.SUBMITTED, "high_risk")
    assert (c.high_risk_basis, c.annex_point, c.role) == ("annex_iii", "4(a)", "provider")
    assert c.answers["annex_iii"] == ["p4a"]
    assert [a for a, _ in c.reasons] == ["Art. 3(3)", "Art. 6(2), Annex III 4(a)"]
    event = render_events(InitiativeEvent.objects.filter(kind=EventKind.CLASSIFICATION_SUBMITTED))
    assert event[0].message.endswith(
        "submitted EU AI Act classification v1 (high-risk) for a governance reviewer to confirm."
    )


def test_a_team_member_cannot_confirm_their_own_classification(team, contributor, reviewer):
    initiative, member_reviewer, sponsor = team
    c = submit(initiative, contributor, role="provider", annex_iii="p4a")

    for refused in (contributor, member_reviewer, sponsor):
        with pytest.raises(PermissionDenied):
            services.classification_confirm(classification=c, actor=refused)
    c.refresh_from_db()
    assert c.status == ClassificationStatus.SUBMITTED

    services.classification_confirm(classification=c, actor=reviewer, comment="Agreed.")
    c.refresh_from_db()
    assert (c.status, c.reviewed_by) == (ClassificationStatus.CONFIRMED, reviewer)
    assert selectors.current_classification(initiative) == c


def test_the_submitter_cannot_confirm_even_when_not_on_the_team(team, reviewer, staff):
    initiative, *_ = team
    c = submit(initiative, staff, role="deployer")  # an administrator may edit anything

    with pytest.raises(PermissionDenied, match="You submitted this classification"):
        services.classification_confirm(classification=c, actor=staff)


def test_returning_needs_a_comment_and_the_team_answers_again(team, contributor, reviewer):
    initiative, *_ = team
    c = submit(initiative, contributor, role="deployer")

    with pytest.raises(ValidationError) as refused:
        services.classification_return(classification=c, actor=reviewer, comment=" ")
    assert "comment" in refused.value.message_dict
    services.classification_return(classification=c, actor=reviewer, comment="It chats.")

    again = submit(initiative, contributor, role="deployer", interacts="yes")
    assert (again.version, again.category) == (2, "transparency")


def test_a_reclassification_keeps_history_and_says_what_changed(team, contributor, reviewer):
    initiative, *_ = team
    first = submit(initiative, contributor, role="provider", annex_iii="p4a")
    services.classification_confirm(classification=first, actor=reviewer)

    second = submit(
        initiative, contributor, role="provider", annex_iii="p4a", exceptions=["preparatory"]
    )

    assert list(initiative.classifications.values_list("version", "status")) == [
        (2, ClassificationStatus.SUBMITTED),
        (1, ClassificationStatus.CONFIRMED),
    ]
    assert selectors.current_classification(initiative) == first  # until 2 is confirmed
    changed = selectors.changes(first, second, selectors.questions())
    assert [(c.label, c.old, c.new) for c in changed["result"]] == [
        ("Category", "High-risk", "Minimal risk"),
        ("High-risk basis", "Annex III 4(a)", "—"),
    ]
    assert [(c.old, c.new) for c in changed["answers"]] == [
        ("None of these", "It performs a preparatory task to an assessment made by a person")
    ]


def test_nothing_is_answered_again_while_a_version_awaits_confirmation(team, contributor):
    initiative, *_ = team
    submit(initiative, contributor, role="deployer")

    with pytest.raises(services.ClassificationInProgress):
        submit(initiative, contributor, role="provider")
    assert Classification.objects.count() == 1


def test_wrong_answers_are_refused_by_question_and_nothing_is_saved(team, contributor):
    initiative, *_ = team
    given = answers(role="owner", exceptions=["none", "preparatory"], colour="blue")
    del given["annex_iii"]

    with pytest.raises(ValidationError) as refused:
        services.classification_submit(initiative=initiative, actor=contributor, answers=given)

    errors = refused.value.message_dict
    assert errors["role"] == [
        "“owner” is not an option here; choose from: provider, deployer, both."
    ]
    assert errors["exceptions"] == ["“None of these” cannot be chosen with another answer."]
    assert errors["colour"] == ["No such question."]
    assert errors["annex_iii"] == ["Answer this question."]
    assert not Classification.objects.exists()


def test_only_the_team_classifies(team, viewer, reviewer):
    initiative, *_ = team
    for outsider in (viewer, reviewer):
        with pytest.raises(PermissionDenied):
            submit(initiative, outsider, role="deployer")


def test_a_draft_is_continued_then_submitted_as_the_same_version(team, contributor):
    initiative, *_ = team
    draft = services.classification_submit(
        initiative=initiative, actor=contributor, answers=answers(), draft=True
    )
    submitted = submit(initiative, contributor, role="provider", interacts="yes")

    assert draft.pk == submitted.pk
    assert (submitted.version, submitted.status, submitted.category) == (
        1,
        ClassificationStatus.SUBMITTED,
        "transparency",
    )


# --- The gate ---------------------------------------------------------------------------------


def test_social_scoring_once_confirmed_stays_at_idea(team, contributor, reviewer):
    initiative, *_ = team
    c = submit(initiative, contributor, role="provider", prohibited_c="yes")
    # Awaiting confirmation, the gate does not judge it yet.
    assert not [u for u in _unmet(initiative, Stage.POC) if u.domain == "Regulation"]
    services.classification_confirm(classification=c, actor=reviewer)

    with pytest.raises(portfolio_services.TransitionRefused) as refused:
        portfolio_services.initiative_transition(
            initiative=initiative, actor=contributor, to_stage=Stage.POC
        )

    regulation = [u for u in refused.value.unmet if u.domain == "Regulation"]
    assert len(regulation) == 1
    assert "prohibited practice (Art. 5(1)(c))" in regulation[0].message
    assert regulation[0].fix_url == "/initiatives/cv-screening/classification/"
    initiative.refresh_from_db()
    assert initiative.stage == Stage.IDEA


@pytest.mark.parametrize("to_stage", [Stage.PILOT, Stage.PRODUCTION])
def test_the_gate_holds_at_every_later_stage(to_stage):
    initiative = InitiativeFactory(slug="scorer")
    ClassificationFactory(
        initiative=initiative, category="prohibited", reasons=[["Art. 5(1)(c)", "x"]]
    )
    assert [u.domain for u in _gate(initiative, to_stage)] == ["Regulation"]


def test_a_later_confirmed_version_that_is_not_prohibited_opens_the_gate():
    initiative = InitiativeFactory(slug="scorer")
    ClassificationFactory(initiative=initiative, version=1, category="prohibited")
    ClassificationFactory(initiative=initiative, version=2, category="minimal")
    assert _gate(initiative, Stage.POC) == []


def _unmet(initiative, stage):
    from initiatives.portfolio.gates import unmet

    return unmet(initiative, stage)


def _gate(initiative, stage):
    from initiatives.regulation.gates import not_prohibited

    return not_prohibited(initiative)


# --- The unclassified flag ----------------------------------------------------------------


def _unclassified() -> set[str]:
    return set(
        Flag.objects.filter(kind=FlagKind.UNCLASSIFIED, resolved_at__isnull=True).values_list(
            "initiative__slug", flat=True
        )
    )


def test_unclassified_flags_pilot_and_production_not_idea_or_poc(capsys):
    for stage in (Stage.IDEA, Stage.POC, Stage.PILOT, Stage.PRODUCTION, Stage.RETIRED):
        InitiativeFactory(slug=f"in-{stage}", stage=stage)
    confirmed = InitiativeFactory(slug="classified", stage=Stage.PRODUCTION)
    ClassificationFactory(initiative=confirmed)
    waiting = InitiativeFactory(slug="waiting", stage=Stage.PILOT)
    ClassificationFactory(initiative=waiting, status="submitted", reviewed_at=None)

    call_command("scan_portfolio")

    assert _unclassified() == {"in-pilot", "in-production", "waiting"}
    assert "opened unclassified on in-pilot: stage=pilot, reason=in pilot without a " in (
        capsys.readouterr().out
    )


def test_unclassified_at_the_moment_of_confirmation_with_as_of(capsys):
    """--as-of reports what the rule finds at a moment: a second before the confirmation the
    pilot is unclassified, at the confirmation it is not; the day before too (end of day)."""
    confirmed_at = (timezone.now() - timedelta(days=10)).replace(microsecond=0)
    initiative = InitiativeFactory(slug="pilot", stage=Stage.PILOT)
    ClassificationFactory(initiative=initiative, reviewed_at=confirmed_at)

    def scan_as_of(moment: str) -> str:
        call_command("scan_portfolio", "--as-of", moment)
        return capsys.readouterr().out

    before = scan_as_of((confirmed_at - timedelta(seconds=1)).isoformat())
    assert "opened unclassified on pilot: stage=pilot" in before
    assert "opened unclassified" not in scan_as_of(confirmed_at.isoformat())
    day_before = (timezone.localtime(confirmed_at) - timedelta(days=1)).date().isoformat()
    assert "opened unclassified on pilot" in scan_as_of(day_before)
    assert not Flag.objects.exists()  # --as-of only reports
