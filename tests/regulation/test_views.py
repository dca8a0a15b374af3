"""The classification pages, through real HTTP: the team answers, a reviewer off the team
confirms, the initiative page and the governance queue show it."""

import re

import pytest
from django.urls import reverse

from initiatives.core.choices import ClassificationStatus
from initiatives.models import Classification
from initiatives.regulation import services
from tests.factories import ClassificationFactory, InitiativeFactory, UserFactory
from tests.support.regulation import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def cv(contributor):
    return InitiativeFactory(slug="cv-screening", name="CV screening", members=[contributor])


def page(slug="cv-screening"):
    return reverse("classification", args=[slug])


def test_the_team_classifies_and_a_reviewer_off_the_team_confirms(
    cv, contributor, reviewer, as_user
):
    team = as_user(contributor)
    form = team.get(page()).content.decode()
    for article in ("Art. 5(1)(c)", "Art. 6(2), Annex III", "Art. 50(1)"):
        assert article in form
    assert "Submit for confirmation" in form

    sent = team.post(page(), {**answers(role="provider", annex_iii="p4a"), "action": "submit"})
    assert sent.status_code == 302
    waiting = team.get(page()).content.decode()
    assert "Version 1 awaits confirmation" in waiting
    assert "Submit for confirmation" not in waiting  # nothing to answer until decided
    assert "Art. 6(2), Annex III 4(a)" in waiting

    version = reverse("classification-version", args=["cv-screening", 1])
    decision = as_user(reviewer).get(version).content.decode()
    assert "Confirm the classification" in decision
    assert "Ask for changes" in decision
    confirmed = as_user(reviewer).post(version, {"decision": "confirm", "comment": ""})
    assert confirmed.status_code == 302

    detail = team.get(cv.get_absolute_url()).content.decode()
    assert re.search(r'class="badge regulatory-high_risk">High-risk \(Annex III 4\(a\)\)', detail)
    assert Classification.objects.get().status == ClassificationStatus.CONFIRMED


def test_the_form_comes_back_with_what_was_typed_and_says_what_is_missing(cv, contributor, as_user):
    given = answers(role="provider", interacts="yes", exceptions=["preparatory"])
    del given["annex_iii"]

    response = as_user(contributor).post(page(), {**given, "action": "submit"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "Answer this question." in html
    assert re.search(r'value="provider"[^>]*checked', html)
    assert re.search(r'name="interacts" value="yes"[^>]*checked', html)
    assert re.search(r'value="preparatory"[^>]*checked', html)
    assert not Classification.objects.exists()


def test_a_reviewer_on_the_team_is_told_who_decides_and_refused(cv, contributor, as_user):
    member = UserFactory(username="member-reviewer", governance=True)
    cv.team_members.add(member)
    outside = UserFactory(username="outside", first_name="Olu", governance=True)
    services.classification_submit(initiative=cv, actor=contributor, answers=answers())
    version = reverse("classification-version", args=["cv-screening", 1])

    shown = as_user(member).get(version).content.decode()
    assert "You are on this initiative&#x27;s team" in shown
    assert "Olu" in shown
    assert "Confirm the classification" not in shown
    assert as_user(member).post(version, {"decision": "confirm"}).status_code == 403
    assert Classification.objects.get().status == ClassificationStatus.SUBMITTED
    assert outside  # named above as who decides


def test_asking_for_changes_needs_a_comment_on_the_field(cv, contributor, reviewer, as_user):
    services.classification_submit(initiative=cv, actor=contributor, answers=answers())
    version = reverse("classification-version", args=["cv-screening", 1])

    response = as_user(reviewer).post(version, {"decision": "return", "comment": ""})

    assert response.status_code == 200
    assert "Say what to change" in response.content.decode()
    as_user(reviewer).post(version, {"decision": "return", "comment": "It chats with people."})
    again = as_user(contributor).get(page()).content.decode()
    assert "was returned for changes" in again
    assert "It chats with people." in again
    assert "Classify again" in again


def test_the_governance_queue_lists_classifications_to_confirm(cv, contributor, as_user):
    reviewer = UserFactory(username="queue-reviewer", governance=True)
    services.classification_submit(initiative=cv, actor=contributor, answers=answers())
    mine = InitiativeFactory(slug="mine", name="My own", members=[reviewer])
    ClassificationFactory(initiative=mine, status="submitted", reviewed_at=None, reviewed_by=None)

    html = as_user(reviewer).get(reverse("governance-queue")).content.decode()

    assert "Classifications to confirm" in html
    assert 'href="/initiatives/cv-screening/classification/v1/">CV screening, version 1</a>' in html
    assert re.search(r"My own, version \d+</a>.*yours: another reviewer decides", html)


def test_a_reclassification_page_says_what_changed(cv, contributor, reviewer, as_user):
    first = services.classification_submit(
        initiative=cv, actor=contributor, answers=answers(role="provider", annex_iii="p4a")
    )
    services.classification_confirm(classification=first, actor=reviewer)
    services.classification_submit(
        initiative=cv,
        actor=contributor,
        answers=answers(role="provider", annex_iii="p4a", exceptions=["preparatory"]),
    )

    html = as_user(contributor).get(page()).content.decode()

    assert "What changed since version 1 (confirmed)" in html
    assert '<th scope="row">Category</th><td>High-risk</td><td>Minimal risk</td>' in html
    assert "It performs a preparatory task" in html


def test_the_classification_pages_read_as_many_queries_for_six_versions_as_for_one(
    cv, contributor, reviewer, as_user
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pages = [(as_user(contributor), page()), (as_user(reviewer), reverse("governance-queue"))]
    ClassificationFactory(initiative=cv, version=1)

    def counts():
        out = []
        for client, path in pages:
            client.get(path)  # warm the session and content types
            with CaptureQueriesContext(connection) as captured:
                assert client.get(path).status_code == 200
            out.append(len(captured))
        return out

    few = counts()
    for version in range(2, 7):
        ClassificationFactory(initiative=cv, version=version)
    other = InitiativeFactory(slug="other")
    ClassificationFactory(initiative=other, status="submitted", reviewed_at=None)
    assert counts() == few
