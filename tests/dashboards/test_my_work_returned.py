"""My work lists the business cases returned for changes (issue 15): the author's and their
team's, with who returned it, when and why, linking to the returned version, until a newer
version takes its place."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import BusinessCaseStatus, Stage
from initiatives.templatetags.crossing import person
from tests.factories import BusinessCaseFactory, InitiativeFactory, TeamMembershipFactory

pytestmark = pytest.mark.django_db

MY_WORK = reverse("my-work")


@pytest.fixture
def returned(contributor, reviewer):
    initiative = InitiativeFactory(
        slug="triage-bot", name="Triage bot", stage=Stage.POC, members=[contributor]
    )
    return BusinessCaseFactory(
        initiative=initiative,
        version=2,
        status=BusinessCaseStatus.CHANGES_REQUESTED,
        created_by=contributor,
        submitted_by=contributor,
        submitted_at=timezone.now() - timedelta(days=2),
        reviewed_by=reviewer,
        reviewed_at=datetime(2026, 11, 3, 10, tzinfo=timezone.get_current_timezone()),
        review_comment="Split the licence costs by year.",
    )


def test_the_author_sees_the_returned_case_with_who_when_and_why(
    returned, contributor, reviewer, as_user
):
    response = as_user(contributor).get(MY_WORK)
    assert [c.pk for c in response.context["work"].returned] == [returned.pk]
    page = response.content.decode()
    url = reverse("business-case-detail", args=["triage-bot", 2])
    assert f'<a href="{url}">Triage bot, version 2</a>' in page
    assert (
        f"returned for changes by {person(reviewer)} on 3 Nov 2026: "
        "“Split the licence costs by year.”"
    ) in page
    assert as_user(contributor).get(url).status_code == 200


def test_the_team_sees_it_too_and_others_do_not(returned, owner, viewer, as_user):
    TeamMembershipFactory(initiative=returned.initiative, user=owner)
    assert [c.pk for c in as_user(owner).get(MY_WORK).context["work"].returned] == [returned.pk]
    response = as_user(viewer).get(MY_WORK)
    assert response.context["work"].returned == []
    assert "No business case of yours or your team" in response.content.decode()


def test_a_revised_case_leaves_the_list(returned, contributor, as_user):
    BusinessCaseFactory(
        initiative=returned.initiative,
        version=3,
        status=BusinessCaseStatus.DRAFT,
        created_by=contributor,
        reviewed_at=None,
    )
    work = as_user(contributor).get(MY_WORK).context["work"]
    assert work.returned == []
    assert [c.version for c in work.my_drafts] == [3]


def test_my_work_counts_the_same_queries_with_more_returned_cases(
    returned, contributor, reviewer, as_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(contributor)
    client.get(MY_WORK)
    with CaptureQueriesContext(connection) as small:
        client.get(MY_WORK)
    for n in range(10):
        BusinessCaseFactory(
            initiative=InitiativeFactory(slug=f"more-{n}", members=[contributor]),
            version=1,
            status=BusinessCaseStatus.CHANGES_REQUESTED,
            created_by=contributor,
            submitted_by=contributor,
            submitted_at=timezone.now(),
            reviewed_by=reviewer,
        )
    with CaptureQueriesContext(connection) as large:
        response = client.get(MY_WORK)
    assert len(response.context["work"].returned) == 11
    assert len(large) == len(small), [q["sql"] for q in large.captured_queries]
