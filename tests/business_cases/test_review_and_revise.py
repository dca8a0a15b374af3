"""The business-case review shows its evidence, and a returned case has a way forward
(issue 15): "Revise" makes a new draft from the returned version. Through the pages on
the real database."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from initiatives.business_cases import services
from initiatives.core.choices import BusinessCaseStatus, EmailKind, Stage
from initiatives.models import BusinessCase, EmailRecord
from initiatives.outbox.rendering import render
from tests.factories import BusinessCaseFactory, InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga", last_name="Owner")


@pytest.fixture
def poc(contributor, olga):
    return InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        stage=Stage.POC,
        members=[contributor],
        production_owner=olga,
        owner_accepted_at=timezone.now(),
    )


@pytest.fixture
def submitted(poc, contributor):
    BusinessCaseFactory(
        initiative=poc, version=1, status=BusinessCaseStatus.REJECTED, created_by=contributor
    )
    return BusinessCaseFactory(
        initiative=poc,
        version=2,
        status=BusinessCaseStatus.SUBMITTED,
        created_by=contributor,
        submitted_by=contributor,
        submitted_at=timezone.now(),
        reviewed_at=None,
        costs_reduced=Decimal("65000.00"),
    )


@pytest.fixture
def returned(submitted, reviewer):
    return services.business_case_review(
        case=submitted, actor=reviewer, decision="request_changes", comment="Show the hours."
    )


# --- The review page -------------------------------------------------------------------------


def test_case_review_shows_owner_readiness_and_changes_beside_the_decision(
    submitted, reviewer, as_user, django_assert_max_num_queries
):
    client = as_user(reviewer)
    client.get(submitted.get_absolute_url())

    with django_assert_max_num_queries(22):
        page = client.get(submitted.get_absolute_url())

    html = page.content.decode()
    assert "Production owner</dt><dd>Olga Owner, accepted on" in html
    readiness = page.context["readiness"]
    assert readiness.target == Stage.PILOT
    assert f"{readiness.total.satisfied} of {readiness.total.required} milestones pilot" in html
    changed = [row.field for row in page.context["changes"]]
    assert changed[0] == "costs_reduced"  # what was typed, then what it changes
    assert "total_annual_benefit" in changed
    assert "build_cost" not in changed
    assert "EUR 65,000" in html
    assert "EUR 50,000" in html
    assert "Who can decide:" in html
    # Approve first, then ask for changes, then reject; nothing chosen.
    assert html.index('value="approve"') < html.index('value="request_changes"')
    assert html.index('value="request_changes"') < html.index('value="reject"')
    assert " checked" not in html[html.index('name="decision"') :]


@pytest.mark.parametrize("decision", ["reject", "request_changes"])
def test_a_case_refused_without_a_comment_gets_a_field_error(
    submitted, reviewer, as_user, decision
):
    page = as_user(reviewer).post(submitted.get_absolute_url(), {"decision": decision})

    assert page.status_code == 200
    assert page.context["review_form"].errors["comment"] == [
        "Say what is wrong, so the team can act on it."
    ]
    assert 'id="id_comment_error"' in page.content.decode()
    submitted.refresh_from_db()
    assert submitted.status == BusinessCaseStatus.SUBMITTED


# --- Revise ----------------------------------------------------------------------------------


def test_revise_makes_one_draft_copied_from_the_returned_version(returned, contributor):
    draft = services.business_case_revise(case=returned, actor=contributor)

    assert (draft.version, draft.status) == (3, BusinessCaseStatus.DRAFT)
    assert draft.costs_reduced == Decimal("65000.00")
    assert draft.created_by == contributor
    again = services.business_case_revise(case=returned, actor=contributor)
    assert again.pk == draft.pk
    assert BusinessCase.objects.filter(initiative=returned.initiative).count() == 3


def test_only_a_returned_version_is_revised(submitted, contributor):
    with pytest.raises(ValidationError, match="was not returned for changes"):
        services.business_case_revise(case=submitted, actor=contributor)
    assert not BusinessCase.objects.filter(status=BusinessCaseStatus.DRAFT).exists()


def test_revise_is_refused_to_someone_off_the_team(returned, viewer):
    with pytest.raises(PermissionDenied):
        services.business_case_revise(case=returned, actor=viewer)
    assert not BusinessCase.objects.filter(status=BusinessCaseStatus.DRAFT).exists()


@pytest.mark.parametrize(
    ("role", "sees_button", "post_status"),
    [
        ("author", True, 302),
        ("team member", True, 302),
        ("viewer", False, 403),
        ("governance off the team", False, 403),
        ("anonymous", False, 302),
    ],
)
def test_who_may_revise_a_returned_case(
    returned, contributor, reviewer, role, sees_button, post_status
):
    people = {
        "author": contributor,
        "team member": None,
        "viewer": UserFactory(username="vera"),
        "governance off the team": reviewer,
        "anonymous": None,
    }
    if role == "team member":
        people[role] = UserFactory(username="tim")
        returned.initiative.team_members.add(people[role])
    client = Client()
    if people[role] is not None:
        client.force_login(people[role])
    revise = reverse("business-case-revise", args=[returned.initiative.slug, returned.version])

    page = client.get(returned.get_absolute_url())
    answer = client.post(revise)

    if role != "anonymous":
        assert (revise in page.content.decode()) is sees_button
    assert answer.status_code == post_status
    drafts = BusinessCase.objects.filter(status=BusinessCaseStatus.DRAFT)
    if post_status == 302 and role != "anonymous":
        [draft] = drafts
        assert answer["Location"] == reverse(
            "business-case-edit", args=[returned.initiative.slug, draft.version]
        )
    else:
        assert not drafts.exists()
        if role == "anonymous":
            assert answer["Location"].startswith(reverse("login"))


def test_the_case_reviewed_email_links_to_the_returned_version_and_says_revise(
    returned, django_capture_on_commit_callbacks
):
    record = EmailRecord.objects.get(kind=EmailKind.CASE_REVIEWED, business_case=returned)

    message = render(record)

    assert returned.get_absolute_url() in message.body
    assert '"Revise"' in message.body
    html = message.alternatives[0][0]
    assert "<strong>Revise</strong>" in html
    assert returned.get_absolute_url() in html
