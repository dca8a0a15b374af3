"""The waiver decision (issue 15): the milestone page shows the request's evidence and
decides with the one decision component; a requested waiver reads "Waiver requested" on
the checklist and the milestone page. Through the pages on the real database."""

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import MilestoneStatus, Stage
from initiatives.models import MilestoneRecord
from initiatives.readiness import services
from tests.factories import InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db

KEY = "runbook"


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga", last_name="Owner")


@pytest.fixture
def pilot(contributor, olga):
    contributor.first_name, contributor.last_name = "Carla", "Contributor"
    contributor.save()
    return InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        stage=Stage.PILOT,
        members=[contributor],
        production_owner=olga,
        owner_accepted_at=timezone.now(),
    )


@pytest.fixture
def requested(pilot, contributor):
    return services.milestone_waiver_request(
        initiative=pilot, actor=contributor, key=KEY, reason="The platform runbook covers it."
    )


def milestone_url(initiative) -> str:
    return reverse("milestone", args=[initiative.slug, KEY])


def test_a_requested_waiver_shows_as_waiver_requested_on_the_checklist(
    requested, contributor, as_user
):
    html = as_user(contributor).get(reverse("readiness", args=["fraud-scoring"])).content.decode()

    row = html[html.index(reverse("milestone", args=["fraud-scoring", KEY])) :]
    row = row[: row.index("</tr>")]
    assert "Waiver requested" in row
    assert "by Carla Contributor on" in row
    assert "by —" not in row


def test_a_requested_waiver_shows_as_waiver_requested_on_the_milestone_page(
    requested, contributor, as_user
):
    html = as_user(contributor).get(milestone_url(requested.initiative)).content.decode()

    assert "Now: <strong>Waiver requested</strong> by Carla Contributor on" in html
    assert "by —" not in html


def test_the_waiver_decision_shows_its_evidence_and_the_one_component(requested, reviewer, as_user):
    html = as_user(reviewer).get(milestone_url(requested.initiative)).content.decode()

    assert "Asked by</dt><dd>Carla Contributor" in html
    assert "The platform runbook covers it." in html
    assert "Domain</dt><dd>" in html
    assert "in pilot" in html
    assert "Production owner</dt><dd>Olga Owner" in html
    assert "Who can decide:" in html
    assert html.index('value="waive"') < html.index('value="decline"')
    assert " checked" not in html[html.index('name="decision"') :]
    assert html.count('type="submit" class="primary">Record decision') == 1


@pytest.mark.parametrize(
    ("decision", "error"),
    [("decline", "Say why the waiver is declined."), ("waive", "A waiver needs a justification.")],
)
def test_a_waiver_decision_without_a_comment_gets_a_field_error(
    requested, reviewer, as_user, decision, error
):
    page = as_user(reviewer).post(
        milestone_url(requested.initiative),
        {"action": "decide", "decision": decision, "comment": " "},
    )

    assert page.status_code == 200
    assert page.context["decision_form"].errors["comment"] == [error]
    record = MilestoneRecord.objects.get(pk=requested.pk)
    assert record.waiver_pending
    assert record.status != MilestoneStatus.WAIVED


def test_governance_waives_through_the_decision_component(requested, reviewer, as_user):
    answer = as_user(reviewer).post(
        milestone_url(requested.initiative),
        {"action": "decide", "decision": "waive", "comment": "The platform runbook covers it."},
    )

    assert answer.status_code == 302
    record = MilestoneRecord.objects.get(pk=requested.pk)
    assert record.status == MilestoneStatus.WAIVED
    assert record.justification == "The platform runbook covers it."


def test_without_a_request_waiving_is_the_only_choice(pilot, reviewer, as_user):
    html = as_user(reviewer).get(milestone_url(pilot)).content.decode()

    assert 'value="waive"' in html
    assert 'value="decline"' not in html
