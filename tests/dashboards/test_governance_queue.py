"""The governance queue (issue 15): the most urgent first, every flag kind the portfolio
counts, how long each item has waited, and no link that answers 403: what is the reviewer's
own is marked "yours: another reviewer decides"."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import FlagKind, HealthStatus, MilestoneStatus, Stage
from initiatives.dashboards.summary import PORTFOLIO_FLAG_KINDS
from initiatives.models import ReadinessMilestone
from tests.factories import (
    BusinessCaseFactory,
    FlagFactory,
    InitiativeFactory,
    MilestoneRecordFactory,
    PromotionRequestFactory,
    ScanRunFactory,
)
from tests.support import dashboard_portfolio

pytestmark = pytest.mark.django_db

QUEUE = reverse("governance-queue")
YOURS = "yours: another reviewer decides"


def test_stalled_work_is_listed_by_days_in_its_stage(reviewer, as_user):
    now = timezone.now()
    for slug, days in (("ninety-five", 95), ("two-hundred", 200), ("one-forty", 140)):
        initiative = InitiativeFactory(
            slug=slug, stage=Stage.POC, stage_entered_at=now - timedelta(days=days)
        )
        # Flagged in the order that hides the urgency: the newest flag on the oldest work.
        FlagFactory(
            initiative=initiative, kind=FlagKind.STALLED, opened_at=now - timedelta(days=300 - days)
        )
    queue = as_user(reviewer).get(QUEUE).context["queue"]
    assert [f.initiative.slug for f in queue.stalled.items] == [
        "two-hundred",
        "one-forty",
        "ninety-five",
    ]


def test_decisions_are_listed_by_how_long_they_have_waited(reviewer, contributor, as_user):
    now = timezone.now()
    for slug, days in (("two-days", 2), ("nine-days", 9), ("five-days", 5)):
        BusinessCaseFactory(
            initiative=InitiativeFactory(slug=slug, stage=Stage.POC),
            version=1,
            created_by=contributor,
            submitted_by=contributor,
            submitted_at=now - timedelta(days=days),
        )
    response = as_user(reviewer).get(QUEUE)
    cases = response.context["queue"].cases.items
    assert [c.initiative.slug for c in cases] == ["nine-days", "five-days", "two-days"]
    assert "waiting 1\xa0week, 2\xa0days" in response.content.decode()


def test_stale_ownership_is_listed_by_days_since_the_last_confirmation(reviewer, as_user):
    now = timezone.now()
    for slug, confirmed in (("recent", 100), ("never", None), ("old", 300)):
        initiative = InitiativeFactory(
            slug=slug,
            stage=Stage.PRODUCTION,
            owner_confirmed_at=now - timedelta(days=confirmed) if confirmed else None,
        )
        FlagFactory(initiative=initiative, kind=FlagKind.STALE_OWNERSHIP)
    queue = as_user(reviewer).get(QUEUE).context["queue"]
    assert [f.initiative.slug for f in queue.stale.items] == ["never", "old", "recent"]


def test_the_queue_lists_every_flag_kind_the_portfolio_counts(reviewer, as_user):
    built = dashboard_portfolio.build()
    FlagFactory(
        initiative=built["r-prod-healthy"],
        kind=FlagKind.EVAL_REGRESSION,
        facts={"reason": "evaluation score 0.700 against a baseline of 0.900"},
    )
    client = as_user(reviewer)
    queue = client.get(QUEUE).context["queue"]
    portfolio = client.get(reverse("portfolio")).context["summary"]
    listed = {
        FlagKind.STALLED: queue.stalled,
        FlagKind.OWNERLESS: queue.ownerless,
        FlagKind.STALE_OWNERSHIP: queue.stale,
        FlagKind.BUSINESS_CASE_MISSING: queue.case_missing,
        FlagKind.EVAL_REGRESSION: queue.regressions,
        FlagKind.VALUE_UNREPORTED: queue.value_unreported,
        FlagKind.VALUE_SHORTFALL: queue.value_shortfall,
        FlagKind.UNCLASSIFIED: queue.unclassified,
        FlagKind.REGULATORY_GAP: queue.regulatory_gap,
    }
    assert set(listed) == set(PORTFOLIO_FLAG_KINDS)
    for tally in portfolio.flags:
        assert listed[tally.key].total == tally.count, tally.key
    unhealthy = sum(
        t.count
        for t in portfolio.health
        if t.key in (HealthStatus.FAILING, HealthStatus.SILENT, HealthStatus.DEGRADED)
    )
    assert queue.unhealthy.total == unhealthy == 3


@pytest.fixture
def own_work(reviewer, contributor):
    """One item of each decision section that is the reviewer's own, one that is not."""
    now = timezone.now()
    mine = InitiativeFactory(slug="reviewers-team", stage=Stage.PILOT, members=[reviewer])
    theirs = InitiativeFactory(slug="others", stage=Stage.PILOT, members=[contributor])
    runbook = ReadinessMilestone.objects.get(template__is_default=True, key="runbook")
    for initiative, author in ((mine, reviewer), (theirs, contributor)):
        BusinessCaseFactory(
            initiative=initiative,
            version=1,
            created_by=author,
            submitted_by=author,
            submitted_at=now - timedelta(days=1),
        )
        PromotionRequestFactory(initiative=initiative, requested_by=author)
        MilestoneRecordFactory(
            initiative=initiative,
            milestone=runbook,
            status=MilestoneStatus.IN_PROGRESS,
            waiver_requested_at=now,
            waiver_requested_by=author,
            waiver_request_reason="Covered by the platform.",
        )
        FlagFactory(initiative=initiative, kind=FlagKind.STALLED, facts={"reason": "long"})
    ScanRunFactory(as_of=now, started_at=now, finished_at=now)
    return {"mine": mine, "theirs": theirs}


def _links(html: str) -> list[str]:
    from html.parser import HTMLParser

    class Links(HTMLParser):
        found: list[str] = []

        def handle_starttag(self, tag, attrs):
            href = dict(attrs).get("href")
            if tag == "a" and href and href.startswith("/"):
                self.found.append(href)

    parser = Links()
    parser.found = []
    parser.feed(html.split('<main id="main">', 1)[1])
    return parser.found


def test_each_of_the_reviewers_own_items_is_marked_in_every_decision_section(
    own_work, reviewer, as_user
):
    queue = as_user(reviewer).get(QUEUE).context["queue"]
    for section in (queue.cases, queue.promotions, queue.waivers):
        marked = {item.initiative.slug: item.decided_elsewhere for item in section.items}
        assert marked == {"reviewers-team": True, "others": False}
    page = as_user(reviewer).get(QUEUE).content.decode()
    assert page.count(YOURS) == 3


def test_no_link_in_the_queue_answers_403(own_work, reviewer, as_user):
    client = as_user(reviewer)
    links = _links(client.get(QUEUE).content.decode())
    assert reverse("promotion-review", args=[own_work["theirs"].promotion_requests.get().pk]) in (
        links
    )
    for href in links:
        response = client.get(href)
        assert response.status_code in (200, 302), (href, response.status_code)
        if response.status_code == 302:
            assert urlsplit(response["Location"]).path != reverse("login"), href


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("contributor", 403), ("reviewer", 200)]
)
def test_only_governance_reviewers_open_the_queue(own_work, role, status, request, as_user):
    person = request.getfixturevalue(role)
    assert as_user(person).get(QUEUE).status_code == status


def test_a_production_system_says_how_long_it_has_been_unhealthy(reviewer, as_user):
    now = timezone.now()
    failing = InitiativeFactory(
        slug="failing", stage=Stage.PRODUCTION, health_status=HealthStatus.FAILING
    )
    FlagFactory(
        initiative=failing, kind=FlagKind.HEALTH_DEGRADED, opened_at=now - timedelta(days=3)
    )
    InitiativeFactory(slug="just-now", stage=Stage.PRODUCTION, health_status=HealthStatus.DEGRADED)
    page = as_user(reviewer).get(QUEUE).content.decode()
    assert "flagged 3\xa0days ago" in page
    assert "since the last health report" in page
