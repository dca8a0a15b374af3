"""The ownership decisions show their evidence (issue 15): the promotion review and the
handover answer, through the pages on the real database."""

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.core import formats
from initiatives.core.choices import BusinessCaseStatus, FlagKind, HandoverStatus, RiskTier, Stage
from initiatives.core.people import display_name
from initiatives.ownership import selectors, services
from initiatives.readiness.scoring import checklist
from tests.factories import InitiativeFactory, UserFactory
from tests.factories.business_cases import BusinessCaseFactory
from tests.factories.health import HealthReportFactory
from tests.factories.watch import FlagFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def olga(db):
    return UserFactory(username="olga", first_name="Olga", last_name="Owner")


@pytest.fixture
def pilot(contributor, olga, reviewer):
    """A pilot whose owner accepted, with an approved case, a done milestone, a week of
    health reports and an open flag."""
    backup = UserFactory(username="bea", first_name="Bea", last_name="Backup")
    initiative = InitiativeFactory(
        slug="fraud-scoring",
        name="Fraud scoring",
        stage=Stage.PILOT,
        members=[contributor],
        production_owner=olga,
        owner_accepted_at=timezone.now() - timedelta(days=20),
        backup_owner=backup,
        risk_tier=RiskTier.HIGH,
    )
    BusinessCaseFactory(
        initiative=initiative,
        version=1,
        status=BusinessCaseStatus.APPROVED,
        reviewed_by=UserFactory(username="first-reviewer", governance=True),
    )
    for days in range(1, 8):
        HealthReportFactory(
            initiative=initiative,
            observed_at=timezone.now() - timedelta(days=days),
            availability=99.5,
        )
    FlagFactory(
        initiative=initiative,
        kind=FlagKind.HEALTH_DEGRADED,
        opened_at=timezone.now() - timedelta(days=3),
    )
    return initiative


def review_url(promotion) -> str:
    return reverse("promotion-review", kwargs={"pk": promotion.pk})


def test_promotion_review_shows_readiness_case_owner_health_flags_and_blockers(
    pilot, contributor, olga, reviewer, as_user
):
    promotion = services.promotion_request_create(initiative=pilot, actor=contributor)
    missing = checklist(pilot, Stage.PRODUCTION).missing

    page = as_user(reviewer).get(review_url(promotion))

    assert page.status_code == 200
    html = page.content.decode()
    # Readiness by domain, the missing milestones by name, each a link to its page.
    assert missing, "the default checklist has production milestones"
    for item in missing:
        assert reverse("milestone", args=[pilot.slug, item.milestone.key]) in html
    # The approved case's figures.
    figures = page.context["evidence"].case.figures
    assert "Total annual benefit" in html
    assert formats.money(figures.total_annual_benefit, "EUR") in html
    # The owner, accepted, and the backup.
    assert f"{display_name(olga)}, accepted the handover" in html
    assert "Bea Backup" in html
    # Health of the last 30 days, open flags with since when.
    assert "7 reports in the last 30 days" in html
    assert "Health degraded</strong>, open since" in html
    # What still blocks after approval: the gates but the approval itself.
    blockers = page.context["evidence"].blockers
    assert blockers
    assert all("approved the promotion" not in str(b) for b in blockers)
    # Grouped by domain as a refused stage change shows them, each a link to its fix.
    assert '<h3 class="unmet-domain">Readiness' in html
    assert all(f'href="{b.fix_url}"' in html for b in blockers if b.fix_url)
    # No decision preselected; who decides is named.
    assert not re.search(r'name="decision"[^>]*checked', html)
    assert "Who can decide:" in html


def test_promotion_evidence_reads_a_fixed_number_of_queries(
    pilot, contributor, reviewer, as_user, django_assert_num_queries
):
    promotion = services.promotion_request_create(initiative=pilot, actor=contributor)
    client = as_user(reviewer)
    client.get(review_url(promotion))  # warm the session and the user's groups

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(review_url(promotion)).status_code == 200
        return len(queries)

    before = count()
    for days in range(8, 28):
        HealthReportFactory(initiative=pilot, observed_at=timezone.now() - timedelta(days=days))
    FlagFactory(initiative=pilot, kind=FlagKind.STALLED)
    FlagFactory(initiative=pilot, kind=FlagKind.HEALTH_SILENT)
    more_members = [UserFactory() for _ in range(4)]
    pilot.team_members.add(*more_members)

    assert count() == before  # however many reports, flags and people
    with django_assert_num_queries(before):
        client.get(review_url(promotion))


def test_promotion_evidence_selector_is_a_fixed_number_of_queries(
    pilot, contributor, django_assert_max_num_queries
):
    promotion = services.promotion_request_create(initiative=pilot, actor=contributor)
    with django_assert_max_num_queries(16):
        evidence = selectors.promotion_evidence(promotion)
    assert evidence.case.status == BusinessCaseStatus.APPROVED
    assert [p.username for p in evidence.movers] == ["olga", "bea", "contributor"]


def test_after_approval_the_page_says_who_moves_the_stage_and_what_still_blocks(
    pilot, contributor, reviewer, as_user
):
    promotion = services.promotion_request_create(initiative=pilot, actor=contributor)
    client = as_user(reviewer)

    answer = client.post(review_url(promotion), {"decision": "approve", "comment": ""})

    assert answer.status_code == 302
    assert answer["Location"] == review_url(promotion)
    page = client.get(answer["Location"])
    html = page.content.decode()
    message = " ".join(str(m) for m in page.context["messages"])
    assert message.startswith("Promotion approved. Olga Owner, Bea Backup,")
    assert "may now move Fraud scoring to production; still blocking it:" in message
    assert "What happens next" in html
    assert "The move to production is still blocked by:" in html
    assert '<h3 class="unmet-domain">Readiness' in html
    assert 'name="decision"' not in html  # decided: no form any more


def test_a_promotion_refused_without_a_comment_gets_a_field_error(
    pilot, contributor, reviewer, as_user
):
    promotion = services.promotion_request_create(initiative=pilot, actor=contributor)

    page = as_user(reviewer).post(review_url(promotion), {"decision": "reject", "comment": ""})

    assert page.status_code == 200
    assert page.context["form"].errors["comment"] == ["Say why the promotion is rejected."]
    assert 'id="id_comment_error"' in page.content.decode()
    promotion.refresh_from_db()
    assert promotion.status == "pending"


# --- The handover ----------------------------------------------------------------------------


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids: list[str] = []
        self.label_targets: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and "for" in attrs:
            self.label_targets.append(attrs["for"])


@pytest.fixture
def handover(pilot, contributor):
    nominee = UserFactory(username="nina", first_name="Nina", last_name="Nominee")
    return services.handover_start(initiative=pilot, actor=contributor, to_owner=nominee)


def answer_url(handover) -> str:
    return reverse("handover-answer", args=[handover.pk])


def test_handover_page_has_unique_ids_and_every_label_points_at_a_field(handover, as_user):
    html = as_user(handover.to_owner).get(answer_url(handover)).content.decode()

    parsed = _Ids()
    parsed.feed(html)
    assert len(parsed.ids) == len(set(parsed.ids)), sorted(parsed.ids)
    assert parsed.label_targets
    assert set(parsed.label_targets) <= set(parsed.ids)
    assert html.count('name="note"') == 1  # one comment box, not one per button


def test_handover_shows_what_the_incoming_owner_accepts(
    handover, as_user, settings, django_assert_max_num_queries
):
    settings.PORTAL_OWNERSHIP_CONFIRMATION_DAYS = 60
    client = as_user(handover.to_owner)
    client.get(answer_url(handover))

    with django_assert_max_num_queries(20):
        page = client.get(answer_url(handover))

    html = page.content.decode()
    case = page.context["evidence"].case
    assert "Risk tier</dt><dd>High" in html
    assert formats.money(case.figures.annual_run_cost, "EUR") in html
    assert "approved" in html
    assert "Health degraded</strong>" in html
    assert "Every 60 days you re-confirm" in html
    assert "on-call" in html
    assert page.context["evidence"].health is None  # a pilot is not live: no health judged


def test_handover_of_a_live_system_shows_its_health(handover, as_user):
    handover.initiative.stage = Stage.PRODUCTION
    handover.initiative.save(update_fields=["stage"])

    page = as_user(handover.to_owner).get(answer_url(handover))

    assert page.context["evidence"].health.reports == 7
    assert "Health, last 30 days" in page.content.decode()


def test_handover_declined_without_a_reason_gets_a_field_error_and_keeps_the_answer(
    handover, as_user
):
    page = as_user(handover.to_owner).post(answer_url(handover), {"decision": "decline"})

    assert page.status_code == 200
    assert page.context["form"].errors["note"] == [
        "Say why you decline, so the team can name someone else."
    ]
    assert 'value="decline" id="id_decision_1" required checked' in page.content.decode()
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.PENDING


def test_handover_with_no_answer_chosen_is_refused_on_the_choice(handover, as_user):
    page = as_user(handover.to_owner).post(answer_url(handover), {"note": "Happy to."})

    assert page.context["form"].errors["decision"] == ["This field is required."]


def test_handover_accepted_through_the_one_form(handover, as_user):
    answer = as_user(handover.to_owner).post(
        answer_url(handover),
        {
            "decision": "accept",
            "confirms_skills": "on",
            "confirms_mandate": "on",
            "confirms_budget": "on",
        },
    )

    assert answer.status_code == 302
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.ACCEPTED


def test_handover_evidence_reads_the_same_queries_however_many_flags_and_reports(
    handover, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    handover.initiative.stage = Stage.PRODUCTION
    handover.initiative.save(update_fields=["stage"])
    with CaptureQueriesContext(connection) as first:
        selectors.handover_evidence(handover)
    FlagFactory(initiative=handover.initiative, kind=FlagKind.STALLED)
    for days in range(10, 20):
        HealthReportFactory(
            initiative=handover.initiative, observed_at=timezone.now() - timedelta(days=days)
        )

    with django_assert_num_queries(len(first)):
        evidence = selectors.handover_evidence(handover)
    assert len(evidence.flags) == 2
    assert evidence.health.reports == 17
