"""Waiver requests (issue 7): the team asks governance to waive a milestone, saying why; the
request waits on the governance queue until a reviewer waives the milestone or declines,
saying why. Who asked and why stay on the record, with the answer beside them; the one who
asked, and anyone on the team, leave the decision to another reviewer (issue 13). Through
the milestone page and the API, on the real database."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.html import escape

from initiatives.core.choices import MilestoneStatus, Stage, WaiverDecision
from initiatives.core.people import display_name
from initiatives.models import InitiativeEvent, MilestoneRecord
from initiatives.readiness import services
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY = "runbook"


@pytest.fixture
def pilot(contributor):
    return InitiativeFactory(
        slug="fraud-scoring", name="Fraud scoring", stage=Stage.PILOT, members=[contributor]
    )


def milestone_url(initiative) -> str:
    return reverse("milestone", args=[initiative.slug, KEY])


def record(initiative) -> MilestoneRecord | None:
    return MilestoneRecord.objects.filter(initiative=initiative, milestone__key=KEY).first()


def ask(client, initiative, reason="The platform team's runbook covers this system."):
    return client.post(milestone_url(initiative), {"action": "request_waiver", "reason": reason})


def queue_waivers(client) -> list[MilestoneRecord]:
    response = client.get(reverse("governance-queue"))
    assert response.status_code == 200
    return response.context["queue"].waivers.items


def test_the_team_asks_and_the_request_waits_on_the_governance_queue(
    pilot, contributor, reviewer, as_user
):
    team = as_user(contributor)
    assert "Ask for a waiver" in team.get(milestone_url(pilot)).content.decode()

    response = ask(team, pilot)

    assert response.status_code == 302
    asked = record(pilot)
    assert (asked.waiver_requested_by, asked.status) == (contributor, MilestoneStatus.NOT_STARTED)
    assert asked.waiver_request_reason == "The platform team's runbook covers this system."
    assert InitiativeEvent.objects.filter(
        initiative=pilot, params__action="waiver_requested"
    ).exists()
    governance = as_user(reviewer)
    assert [r.pk for r in queue_waivers(governance)] == [asked.pk]
    queue = governance.get(reverse("governance-queue")).content.decode()
    assert "The platform team&#x27;s runbook covers this system." in queue
    assert f'href="{milestone_url(pilot)}"' in queue
    # Everyone sees the request on the milestone; the team is not offered to ask twice.
    page = team.get(milestone_url(pilot)).content.decode()
    assert "Waiver requested" in page
    assert "Ask for a waiver" not in page


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_request_needs_a_reason(pilot, contributor, as_user, reason):
    response = ask(as_user(contributor), pilot, reason=reason)
    assert response.status_code == 200
    assert response.context["request_form"].errors["reason"] == ["This field is required."]
    assert 'id="id_reason_error"' in response.content.decode()
    assert record(pilot) is None
    with pytest.raises(ValidationError) as refused:
        services.milestone_waiver_request(
            initiative=pilot, actor=contributor, key=KEY, reason=reason
        )
    assert "reason" in refused.value.message_dict


def test_governance_waives_and_the_request_stays_on_the_record(
    pilot, contributor, reviewer, as_user
):
    ask(as_user(contributor), pilot)
    governance = as_user(reviewer)
    response = governance.post(
        milestone_url(pilot), {"action": "waive", "justification": "Covered by the platform."}
    )
    assert response.status_code == 302
    waived = record(pilot)
    assert waived.status == MilestoneStatus.WAIVED
    assert waived.justification == "Covered by the platform."
    # The audit reads who asked and why, and who granted it.
    assert waived.waiver_requested_by == contributor
    assert waived.waiver_request_reason == "The platform team's runbook covers this system."
    assert (waived.waiver_decision, waived.waiver_decided_by) == (WaiverDecision.GRANTED, reviewer)
    assert not waived.waiver_pending
    assert queue_waivers(governance) == []


def test_governance_declines_with_a_comment_and_the_request_stays_on_the_record(
    pilot, contributor, reviewer, as_user
):
    ask(as_user(contributor), pilot)
    governance = as_user(reviewer)
    assert "Decline the request" in governance.get(milestone_url(pilot)).content.decode()

    no_comment = governance.post(
        milestone_url(pilot), {"action": "decide", "decision": "decline", "comment": ""}
    )
    assert no_comment.status_code == 200
    assert no_comment.context["decision_form"].errors["comment"] == [
        "Say why the waiver is declined."
    ]
    assert record(pilot).waiver_requested_at is not None  # still waiting

    declined = governance.post(
        milestone_url(pilot),
        {"action": "decline_waiver", "comment": "Production needs its own runbook."},
    )
    assert declined.status_code == 302
    after = record(pilot)
    assert after.status == MilestoneStatus.NOT_STARTED  # the milestone stays required
    assert (after.waiver_requested_by, after.waiver_request_reason) == (
        contributor,
        "The platform team's runbook covers this system.",
    )
    assert (after.waiver_decision, after.waiver_decided_by) == (WaiverDecision.DECLINED, reviewer)
    assert queue_waivers(governance) == []
    assert "declined by" in governance.get(milestone_url(pilot)).content.decode()
    assert InitiativeEvent.objects.filter(
        initiative=pilot, params__comment__contains="Production needs its own runbook."
    ).exists()
    # The team may ask again once declined.
    assert "Ask for a waiver" in as_user(contributor).get(milestone_url(pilot)).content.decode()


def test_a_second_reviewer_who_declines_too_late_is_told_who_answered(
    pilot, contributor, reviewer, as_user
):
    """Two reviewers had the milestone open; the first declined. The second's comment is not
    silently dropped: the page says the request was already answered, by whom and when."""
    ask(as_user(contributor), pilot)
    second = UserFactory(username="second", governance=True)
    as_user(reviewer).post(
        milestone_url(pilot), {"action": "decline_waiver", "comment": "Needs its own runbook."}
    )

    late = as_user(second).post(
        milestone_url(pilot), {"action": "decline_waiver", "comment": "Agreed, decline."}
    )

    assert late.status_code == 200
    html = late.content.decode()
    assert "Nothing was changed: the waiver request was already answered" in html
    assert f"declined by {display_name(reviewer)}" in html
    assert record(pilot).waiver_decided_by == reviewer


@pytest.mark.parametrize("who", ["viewer", "reviewer"])
def test_only_the_team_may_ask(pilot, request, as_user, who):
    person = request.getfixturevalue(who)
    assert "Ask for a waiver" not in as_user(person).get(milestone_url(pilot)).content.decode()
    assert ask(as_user(person), pilot).status_code == 403
    assert record(pilot) is None
    with pytest.raises(PermissionDenied):
        services.milestone_waiver_request(initiative=pilot, actor=person, key=KEY, reason="Let me.")


@pytest.mark.parametrize("who", ["contributor", "viewer"])
def test_only_governance_may_decline(pilot, contributor, request, as_user, who):
    ask(as_user(contributor), pilot)
    person = request.getfixturevalue(who)
    assert "Decline the request" not in as_user(person).get(milestone_url(pilot)).content.decode()
    response = as_user(person).post(
        milestone_url(pilot), {"action": "decline_waiver", "comment": "No."}
    )
    assert response.status_code == 403
    assert record(pilot).waiver_requested_at is not None
    with pytest.raises(PermissionDenied):
        services.milestone_waiver_decline(initiative=pilot, actor=person, key=KEY, comment="No.")


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (MilestoneStatus.DONE, "This milestone is done; there is nothing to waive."),
        (MilestoneStatus.WAIVED, "This milestone is already waived."),
    ],
)
def test_a_done_or_waived_milestone_cannot_be_asked_for(
    pilot, contributor, reviewer, as_user, status, message
):
    if status == MilestoneStatus.DONE:
        services.milestone_update(
            initiative=pilot, actor=contributor, key=KEY, status=status, evidence_note="Drilled."
        )
    else:
        services.milestone_waive(initiative=pilot, actor=reviewer, key=KEY, justification="N/A")
    team = as_user(contributor)
    assert "Ask for a waiver" not in team.get(milestone_url(pilot)).content.decode()
    assert ask(team, pilot).status_code == 403
    assert record(pilot).waiver_requested_at is None
    with pytest.raises(ValidationError) as refused:
        services.milestone_waiver_request(
            initiative=pilot, actor=contributor, key=KEY, reason="Please."
        )
    assert refused.value.message_dict == {"reason": [message]}


def test_marking_the_milestone_done_withdraws_the_request(pilot, contributor, reviewer, as_user):
    team = as_user(contributor)
    ask(team, pilot)
    response = team.post(
        milestone_url(pilot),
        {"action": "update", "status": "done", "evidence_url": "https://wiki.example/runbook"},
    )
    assert response.status_code == 302
    withdrawn = record(pilot)
    assert (withdrawn.waiver_requested_by, withdrawn.waiver_decision) == (
        contributor,
        WaiverDecision.WITHDRAWN,
    )
    assert queue_waivers(as_user(reviewer)) == []


def test_a_request_on_a_retired_milestone_leaves_the_queue(pilot, contributor, reviewer, as_user):
    ask(as_user(contributor), pilot)
    asked = record(pilot)
    asked.milestone.active = False  # retired from the template in the admin
    asked.milestone.save()
    assert queue_waivers(as_user(reviewer)) == []


def test_the_api_asks_shows_and_declines_a_waiver(pilot, contributor, reviewer, as_user):
    from rest_framework.test import APIClient

    base = f"/api/v1/initiatives/{pilot.slug}/readiness/{KEY}"
    team, governance = APIClient(), APIClient()
    team.force_authenticate(contributor)
    governance.force_authenticate(reviewer)

    missing = team.post(f"{base}/waiver-request/", {}, format="json")
    assert missing.status_code == 400
    assert "reason" in missing.json()
    assert (
        governance.post(f"{base}/waiver-request/", {"reason": "x"}, format="json").status_code
        == 403
    )

    asked = team.post(f"{base}/waiver-request/", {"reason": "Covered elsewhere."}, format="json")
    assert asked.status_code == 200
    item = next(m for m in asked.json()["milestones"] if m["key"] == KEY)
    assert (item["waiver_requested_by"], item["waiver_request_reason"]) == (
        "contributor",
        "Covered elsewhere.",
    )
    assert [r.pk for r in queue_waivers(as_user(reviewer))] == [record(pilot).pk]

    assert team.post(f"{base}/decline-waiver/", {"comment": "no"}, format="json").status_code == 403
    declined = governance.post(
        f"{base}/decline-waiver/", {"comment": "Still needed."}, format="json"
    )
    assert declined.status_code == 200
    item = next(m for m in declined.json()["milestones"] if m["key"] == KEY)
    assert (item["waiver_requested_by"], item["waiver_decision"], item["waiver_decided_by"]) == (
        "contributor",
        "declined",
        "reviewer",
    )
    assert queue_waivers(as_user(reviewer)) == []


# --- Separation of duties: a waiver is a second pair of eyes (issue 13) --------------------


@pytest.fixture
def reviewer_on_team(pilot):
    """A governance reviewer who is also on the initiative's team."""
    person = UserFactory(username="gina", governance=True)
    pilot.memberships.create(user=person)
    return person


def test_a_reviewer_cannot_grant_a_waiver_they_asked_for(
    pilot, reviewer_on_team, reviewer, as_user
):
    asker = as_user(reviewer_on_team)
    assert ask(asker, pilot).status_code == 302

    page = asker.get(milestone_url(pilot)).content.decode()
    assert "Another reviewer decides." in page
    assert f"Who can decide: {escape(display_name(reviewer))}." in page  # off the team, named
    assert "You asked for this waiver; another governance reviewer who is not on the team" in page
    assert 'value="waive"' not in page
    assert 'value="decline_waiver"' not in page
    refused = asker.post(milestone_url(pilot), {"action": "waive", "justification": "Mine."})
    assert refused.status_code == 403
    declined = asker.post(milestone_url(pilot), {"action": "decline_waiver", "comment": "Mine."})
    assert declined.status_code == 403
    kept = record(pilot)
    assert kept.status == MilestoneStatus.NOT_STARTED
    assert kept.waiver_pending
    assert kept.waiver_request_reason == "The platform team's runbook covers this system."


def test_a_reviewer_cannot_grant_a_waiver_through_the_api_and_is_told_who_decides(
    pilot, reviewer_on_team, reviewer
):
    from rest_framework.test import APIClient

    base = f"/api/v1/initiatives/{pilot.slug}/readiness/{KEY}"
    asker = APIClient()
    asker.force_authenticate(reviewer_on_team)
    asked = asker.post(f"{base}/waiver-request/", {"reason": "N/A."}, format="json")
    assert asked.status_code == 200

    for action, body in (("waive", {"justification": "Mine."}), ("decline-waiver", {})):
        refused = asker.post(f"{base}/{action}/", body, format="json")
        assert refused.status_code == 403
        assert refused.json() == {
            "detail": "You asked for this waiver; another governance reviewer who is not on "
            "the team decides."
        }
    assert record(pilot).waiver_pending
    with pytest.raises(PermissionDenied):
        services.milestone_waive(
            initiative=pilot, actor=reviewer_on_team, key=KEY, justification="Mine."
        )

    # Another reviewer, off the team, decides.
    other = APIClient()
    other.force_authenticate(reviewer)
    granted = other.post(f"{base}/waive/", {"justification": "Agreed."}, format="json")
    assert granted.status_code == 200
    assert record(pilot).waiver_decided_by == reviewer


def test_a_reviewer_on_the_team_cannot_waive_its_milestone_unasked(
    pilot, reviewer_on_team, as_user
):
    """Waiving without a request would be asking and granting at once."""
    page = as_user(reviewer_on_team).get(milestone_url(pilot)).content.decode()
    assert "You are on this initiative&#x27;s team; another governance reviewer" in page
    response = as_user(reviewer_on_team).post(
        milestone_url(pilot), {"action": "waive", "justification": "We don't need it."}
    )
    assert response.status_code == 403
    assert record(pilot) is None


def test_the_queue_marks_a_waiver_the_reviewer_asked_for(
    pilot, reviewer_on_team, reviewer, as_user
):
    ask(as_user(reviewer_on_team), pilot)

    mine = as_user(reviewer_on_team).get(reverse("governance-queue"))
    [item] = mine.context["queue"].waivers.items
    assert item.decided_elsewhere
    assert "yours: another reviewer decides" in mine.content.decode()
    # The milestone page it links to answers, read-only, rather than 403.
    assert as_user(reviewer_on_team).get(milestone_url(pilot)).status_code == 200

    theirs = as_user(reviewer).get(reverse("governance-queue"))
    [item] = theirs.context["queue"].waivers.items
    assert not item.decided_elsewhere
    assert "yours: another reviewer decides" not in theirs.content.decode()
