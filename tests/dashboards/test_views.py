"""The dashboards (issue 7): the portfolio, my work and the governance queue, for every role,
with every number checked against the portfolio the test made
(tests/support/dashboard_portfolio.py) and every linked number followed to the list that it
counts. Query counts stay constant in the size of the portfolio; names with markup render as
text."""

import re
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import (
    BusinessCaseStatus,
    FlagKind,
    HandoverStatus,
    HealthStatus,
    MilestoneStatus,
    Stage,
)
from initiatives.dashboards.summary import Tally
from initiatives.models import (
    ReadinessMilestone,
)
from initiatives.templatetags.crossing import bars
from tests.factories import (
    AuthTokenFactory,
    BusinessCaseFactory,
    BusinessUnitFactory,
    FlagFactory,
    InitiativeFactory,
    MilestoneRecordFactory,
    OwnershipHandoverFactory,
    PromotionRequestFactory,
    ScanRunFactory,
    StageTransitionFactory,
    UserFactory,
)
from tests.support import dashboard_portfolio
from tests.support.clients import client_for, listed_slugs

pytestmark = pytest.mark.django_db

LIST = reverse("initiative-list")


# --- Reading pages --------------------------------------------------------------------------


class _Anchors(HTMLParser):
    """Every <a href> of a page with its text (SVG anchors included) and its class."""

    def __init__(self):
        super().__init__()
        self.anchors: list[tuple[str, str, str]] = []
        self._open: list[list] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            attributes = dict(attrs)
            self._open.append([attributes.get("href") or "", [], attributes.get("class") or ""])

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            href, parts, css = self._open.pop()
            self.anchors.append((href, " ".join("".join(parts).split()), css))

    def handle_data(self, data):
        for anchor in self._open:
            anchor[1].append(data)


def anchors(html: str) -> list[tuple[str, str, str]]:
    parser = _Anchors()
    parser.feed(html)
    return parser.anchors


def counted_links(html: str) -> list[tuple[str, int]]:
    """(href, number) for every link to the initiative list whose text is a count: the
    first whole number in its text. Links marked `measure` (median and worst days) show a
    measure of the list, not its size, and are left out."""
    found = []
    main = html.split('<main id="main">', 1)[1]  # the navigation's links count nothing
    for href, text, css in anchors(main):
        if urlsplit(href).path != LIST or "measure" in css.split():
            continue
        number = re.search(r"\d+", text)
        assert number, f"a link to the list without a number: {text!r} → {href}"
        found.append((href, int(number.group())))
    return found


def list_count(client: Client, href: str) -> int:
    response = client.get(href)
    assert response.status_code == 200, href
    return response.context["paginator"].count


# --- The portfolio's numbers ------------------------------------------------------------------


@pytest.fixture
def portfolio(db):
    return dashboard_portfolio.build()


UNITS = [None, "Retail", "Claims"]


def portfolio_url(unit):
    return reverse("portfolio") + (f"?business_unit={unit}" if unit else "")


@pytest.mark.parametrize("unit", UNITS, ids=["all units", "Retail", "Claims"])
def test_the_portfolio_shows_the_numbers_of_the_initiatives_it_counts(
    portfolio, viewer, as_user, unit
):
    expected = dashboard_portfolio.EXPECTED[unit]
    response = as_user(viewer).get(portfolio_url(unit))
    summary = response.context["summary"]

    assert summary.total == expected["total"]
    assert {t.key: t.count for t in summary.stages} == expected["stages"]
    assert [(c.entered, c.reached) for c in summary.conversions] == expected["conversions"]
    assert [(d.count, d.stalled, d.median_days, d.worst_days) for d in summary.valley] == expected[
        "valley"
    ]
    assert {t.key: t.count for t in summary.flags} == expected["flags"]
    assert {t.key: t.count for t in summary.health} == expected["health"]
    assert summary.production == expected["stages"]["production"]
    assert [a.initiative.slug for a in summary.attention] == expected["attention"]
    assert summary.attention_total == len(expected["attention"])

    page = response.content.decode()
    for rate in expected["rates"]:
        assert f"<td>{rate}</td>" in page
    for count, _stalled, median, worst in expected["valley"]:
        assert f'class="measure" href="{LIST}?stage=' in page
        assert f">{median}</a>" in page  # whole days, no trailing ".0"
        assert f">{worst}</a>" in page
        assert f">{count}</a>" in page
    if unit:
        assert f"<h1>Portfolio: {unit}</h1>" in page


@pytest.mark.parametrize("unit", UNITS, ids=["all units", "Retail", "Claims"])
def test_every_number_on_the_portfolio_links_to_a_list_of_that_many(
    portfolio, viewer, as_user, unit
):
    client = as_user(viewer)
    page = client.get(portfolio_url(unit)).content.decode()
    links = counted_links(page)

    # Needs attention (in all), funnel (6), total, 2 conversions × 2, 2 valley rows × 2, the
    # value waiting in POC and pilot, 9 flag kinds (health is counted by status; value
    # unreported, value shortfall, unclassified and regulatory gap included), the health
    # tallies (no chart repeats them), and the EU AI Act categories (4 and not classified).
    health_tallies = len(dashboard_portfolio.EXPECTED[unit]["health"])
    assert len(links) == 1 + 6 + 1 + 4 + 4 + 1 + 9 + health_tallies + 5
    for href, number in links:
        assert list_count(client, href) == number, href
        if unit:
            assert f"business_unit={unit}" in href  # the filter reaches every number


def test_an_unknown_business_unit_is_a_field_error_not_a_silent_whole_portfolio(
    portfolio, viewer, as_user
):
    response = as_user(viewer).get(portfolio_url("Nowhere"))
    form = response.context["form"]
    assert "Select a valid choice" in " ".join(form.errors["business_unit"])
    assert '<p class="error">' in response.content.decode()


def test_conversion_counts_an_initiative_that_moved_back_or_was_cancelled_after_entering(
    portfolio, viewer, as_user
):
    client = as_user(viewer)
    reached_production = client.get(f"{LIST}?reached=production")
    slugs = listed_slugs(reached_production)
    assert "c-pilot-back" in slugs  # back in pilot after an incident, but it got there
    reached_poc = listed_slugs(client.get(f"{LIST}?reached=poc"))
    assert "c-cancelled-poc" in reached_poc
    assert "r-cancelled-idea" not in reached_poc


def test_an_empty_portfolio_shows_dashes_not_errors(viewer, as_user):
    response = as_user(viewer).get(reverse("portfolio"))
    summary = response.context["summary"]
    assert summary.total == 0
    assert [c.rate for c in summary.conversions] == [None, None]
    assert [(d.median_days, d.worst_days) for d in summary.valley] == [(None, None)] * 2
    assert "No system is in production." in response.content.decode()


def test_the_initiative_page_shows_its_own_open_flags_only(portfolio, viewer, as_user):
    client = as_user(viewer)
    flagged = client.get(reverse("initiative-detail", args=["c-pilot-150"]))
    assert sorted(f.kind for f in flagged.context["open_flags"]) == [
        "business_case_missing",
        "stalled",
    ]
    page = flagged.content.decode()
    assert '<span class="badge warn">Stalled</span>' in page
    resolved_only = client.get(reverse("initiative-detail", args=["r-poc-10"]))
    assert resolved_only.context["open_flags"] == []
    assert 'id="flags-heading"' not in resolved_only.content.decode()


# --- Each page, each role -----------------------------------------------------------------------

ROLES = ("anonymous", "viewer", "contributor", "owner", "backup", "reviewer", "staff", "machine")
PAGES = {
    "portfolio": reverse("portfolio"),
    "list": LIST,
    "initiative": reverse("initiative-detail", args=["r-prod-healthy"]),
    "my-work": reverse("my-work"),
    "governance": reverse("governance-queue"),
    "export": reverse("initiative-export"),
}


@pytest.fixture
def people(viewer, contributor, owner, reviewer, staff):
    machine = UserFactory(username="probe", machine_client=True)
    machine.set_unusable_password()
    machine.save()
    return {
        "viewer": viewer,
        "contributor": contributor,
        "owner": owner,
        "backup": UserFactory(username="backup"),
        "reviewer": reviewer,
        "staff": staff,
        "machine": machine,
    }


@pytest.fixture
def work(people):
    """The portfolio with people in it: `owner` owns r-prod-healthy (confirmation due, with
    `backup` as backup and `contributor` on the team) and r-prod-degraded (confirmed
    yesterday), and is named in a pending handover of c-pilot-50; `contributor` has a draft
    and asked for a promotion and a waiver; cases wait for review, one submitted by
    `reviewer`."""
    now = timezone.now()
    p = people
    built = dashboard_portfolio.build(
        **{
            "r-prod-healthy": {
                "production_owner": p["owner"],
                "owner_accepted_at": now - timedelta(days=200),
                "owner_confirmed_at": now - timedelta(days=100),
                "backup_owner": p["backup"],
                "members": [p["contributor"]],
            },
            "r-prod-degraded": {
                "production_owner": p["owner"],
                "owner_accepted_at": now - timedelta(days=200),
                "owner_confirmed_at": now - timedelta(days=1),
            },
            "c-pilot-50": {"production_owner": p["owner"]},
            "r-pilot-30": {"members": [p["contributor"]]},
        }
    )
    OwnershipHandoverFactory(
        initiative=built["c-pilot-50"],
        to_owner=p["owner"],
        requested_by=p["contributor"],
        requested_at=now,
    )
    BusinessCaseFactory(
        initiative=built["c-pilot-150"],
        version=1,
        created_by=p["contributor"],
        submitted_by=p["contributor"],
        submitted_at=now - timedelta(days=3),
    )
    BusinessCaseFactory(
        initiative=built["r-pilot-130"],
        version=1,
        created_by=p["reviewer"],
        submitted_by=p["reviewer"],
        submitted_at=now - timedelta(days=2),
    )
    BusinessCaseFactory(
        initiative=built["r-pilot-30"],
        version=1,
        status=BusinessCaseStatus.DRAFT,
        created_by=p["contributor"],
        reviewed_at=None,
    )
    PromotionRequestFactory(
        initiative=built["r-pilot-30"], requested_by=p["contributor"], note="Ready."
    )
    MilestoneRecordFactory(
        initiative=built["r-pilot-30"],
        milestone=ReadinessMilestone.objects.get(template__is_default=True, key="runbook"),
        status=MilestoneStatus.IN_PROGRESS,
        waiver_requested_at=now,
        waiver_requested_by=p["contributor"],
        waiver_request_reason="The platform team's runbook covers it.",
    )
    ScanRunFactory(as_of=now, started_at=now, finished_at=now)
    return built


def request_as(people, role: str, path: str):
    if role == "anonymous":
        return Client().get(path)
    if role == "machine":
        # A machine client has a token, not a session: the web pages do not take tokens.
        token = AuthTokenFactory(user=people["machine"]).key
        return Client().get(path, HTTP_AUTHORIZATION=f"Token {token}")
    return client_for(people[role]).get(path)


def content(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8-sig")
    return response.content.decode()


GOVERNANCE_ONLY = {"governance"}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_each_page_answers_each_role(work, people, role, page):
    path = PAGES[page]
    response = request_as(people, role, path)

    if role in ("anonymous", "machine"):
        assert response.status_code == 302
        assert response["Location"].startswith(f"{reverse('login')}?next=")
        return
    if page in GOVERNANCE_ONLY and role not in ("reviewer", "staff"):
        assert response.status_code == 403
        return
    assert response.status_code == 200
    # Everyone signed in sees the whole portfolio.
    if page == "portfolio":
        assert response.context["summary"].total == 18
    elif page == "list":
        assert response.context["paginator"].count == 18
    elif page == "initiative":
        assert response.context["initiative"].slug == "r-prod-healthy"
    elif page == "export":
        assert len(content(response).splitlines()) == 1 + 18
    elif page == "governance":
        assert response.context["queue"].cases.total == 2
    elif page == "my-work":
        assert response.context["work"] is not None  # numbers: the next test, per role


def test_a_machine_client_cannot_sign_in_to_the_pages(people):
    client = Client()
    response = client.post(reverse("login"), {"username": "probe", "password": ""})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


MY_WORK = {
    "viewer": {},
    "contributor": {"drafts": ["r-pilot-30"]},
    "owner": {
        "owned": ["c-pilot-50", "r-prod-degraded", "r-prod-healthy"],
        "to_confirm": ["r-prod-healthy"],
        "to_accept": ["c-pilot-50"],
        "flags": [("c-pilot-50", "ownerless"), ("r-prod-degraded", "health_degraded")],
    },
    "backup": {"owned": ["r-prod-healthy"]},
    # A reviewer never reviews their own case: r-pilot-130's is theirs.
    "reviewer": {"cases": ["c-pilot-150"], "promotions": ["r-pilot-30"]},
    "staff": {"cases": ["c-pilot-150", "r-pilot-130"], "promotions": ["r-pilot-30"]},
}


@pytest.mark.parametrize("role", MY_WORK)
def test_my_work_lists_what_waits_on_each_role(work, people, role):
    expected = {
        "owned": [],
        "to_confirm": [],
        "to_accept": [],
        "flags": [],
        "drafts": [],
        "cases": None if role not in ("reviewer", "staff") else [],
        "promotions": None if role not in ("reviewer", "staff") else [],
        **MY_WORK[role],
    }
    response = client_for(people[role]).get(reverse("my-work"))
    w = response.context["work"]

    def slugs(items):
        return None if items is None else sorted(i.initiative.slug for i in items)

    assert sorted(i.slug for i in w.owned) == expected["owned"]
    assert w.owned_total == len(expected["owned"])
    assert [i.slug for i in w.to_confirm] == expected["to_confirm"]
    assert slugs(w.to_accept) == expected["to_accept"]
    assert sorted((f.initiative.slug, f.kind) for f in w.flags_on_mine) == expected["flags"]
    assert slugs(w.my_drafts) == expected["drafts"]
    assert slugs(w.cases_to_review) == expected["cases"]
    assert slugs(w.promotions_to_review) == expected["promotions"]

    page = response.content.decode()
    assert f'Systems I own <span class="muted">({len(expected["owned"])})</span>' in page
    assert f'Handovers to accept <span class="muted">({len(expected["to_accept"])})' in page
    assert f'Ownership to confirm <span class="muted">({len(expected["to_confirm"])})' in page
    assert ('id="review-h"' in page) == (expected["cases"] is not None)
    if not expected["owned"]:
        assert "You own no system." in page
    if role == "backup":
        assert "<td>Backup owner</td>" in page
    if role == "owner":
        assert 'aria-label="I still own R prod healthy"' in page
        assert 'Owner <span class="badge warn">pending</span>' in page  # c-pilot-50


def test_my_works_link_to_everything_owned_lists_as_many(work, people, as_user):
    work_page = as_user(people["owner"]).get(reverse("my-work")).context["work"]
    # The owner filter of the list counts the production owner's initiatives.
    assert list_count(as_user(people["owner"]), work_page.owned_url) == 3


# --- The governance queue ---------------------------------------------------------------------


def test_the_governance_queue_counts_what_waits_on_governance(work, people, as_user):
    client = as_user(people["reviewer"])
    response = client.get(reverse("governance-queue"))
    queue = response.context["queue"]

    def slugs(queue_list):
        return sorted(getattr(item, "initiative", item).slug for item in queue_list.items)

    assert (queue.cases.total, slugs(queue.cases)) == (2, ["c-pilot-150", "r-pilot-130"])
    assert (queue.promotions.total, slugs(queue.promotions)) == (1, ["r-pilot-30"])
    assert (queue.waivers.total, slugs(queue.waivers)) == (1, ["r-pilot-30"])
    assert (queue.ownerless.total, slugs(queue.ownerless)) == (1, ["c-pilot-50"])
    assert (queue.stale.total, slugs(queue.stale)) == (1, ["c-prod-unchecked"])
    assert queue.stalled.total == 4
    assert (queue.case_missing.total, slugs(queue.case_missing)) == (1, ["c-pilot-150"])
    assert (queue.regressions.total, slugs(queue.regressions)) == (0, [])
    # The portfolio's health words: failing, then silent, then degraded.
    assert [i.slug for i in queue.unhealthy.items] == [
        "c-prod-failing",
        "r-prod-silent",
        "r-prod-degraded",
    ]
    for queue_list in (
        queue.ownerless,
        queue.stale,
        queue.stalled,
        queue.case_missing,
        queue.regressions,
        queue.unhealthy,
    ):
        assert list_count(client, queue_list.url) == queue_list.total, queue_list.url

    page = response.content.decode()
    for heading, total in (
        ("Business cases awaiting review", 2),
        ("Promotions awaiting review", 1),
        ("Waiver requests", 1),
        ("Ownerless", 1),
        ("Stale ownership", 1),
        ("Stalled", 4),
        ("Business case missing", 1),
        ("Production systems failing, silent or degraded", 3),
    ):
        assert f'{heading} <span class="muted">({total})</span>' in page
    assert "The platform team&#x27;s runbook covers it." in page
    assert "yours: another reviewer decides" in page  # r-pilot-130's case is the reviewer's


def test_the_governance_queue_links_to_all_when_a_list_is_longer_than_it_shows(
    people, as_user, monkeypatch
):
    from initiatives.dashboards import selectors

    monkeypatch.setattr(selectors, "LIST_LIMIT", 2)
    for n in range(3):
        initiative = InitiativeFactory(stage=Stage.POC, slug=f"stuck-{n}")
        FlagFactory(initiative=initiative, kind=FlagKind.STALLED)
    client = as_user(people["reviewer"])
    page = client.get(reverse("governance-queue")).content.decode()
    more = [(href, text) for href, text, _ in anchors(page) if text.startswith("All ")]
    assert more == [(f"{LIST}?flag=stalled", "All 3 →")]
    assert list_count(client, more[0][0]) == 3


SCAN_WARNING = "The portfolio scan is not running."


def interval() -> int:
    return int(settings.CELERY_BEAT_SCHEDULE["scan-portfolio"]["schedule"])


def test_the_queue_warns_when_the_portfolio_was_never_scanned(reviewer, as_user):
    page = as_user(reviewer).get(reverse("governance-queue")).content.decode()
    assert SCAN_WARNING in page
    assert "No scan has ever finished." in page
    portfolio = as_user(reviewer).get(reverse("portfolio")).content.decode()
    assert "The portfolio has never been scanned" in portfolio


def test_the_queue_warns_when_the_last_scan_is_older_than_two_intervals(reviewer, as_user):
    finished = timezone.now() - timedelta(seconds=2 * interval() + 60)
    ScanRunFactory(as_of=finished, started_at=finished, finished_at=finished)
    # A scan that started but never finished (a killed worker) does not count.
    ScanRunFactory(as_of=timezone.now(), started_at=timezone.now())
    page = as_user(reviewer).get(reverse("governance-queue")).content.decode()
    assert SCAN_WARNING in page
    assert "it should run every 1 hour" in page


def test_a_recent_scan_shows_no_warning(reviewer, as_user):
    finished = timezone.now() - timedelta(seconds=2 * interval() - 60)
    ScanRunFactory(as_of=finished, started_at=finished, finished_at=finished, flags_opened=3)
    response = as_user(reviewer).get(reverse("governance-queue"))
    page = response.content.decode()
    assert not response.context["scan"].overdue
    assert SCAN_WARNING not in page
    assert "3 flag(s) opened" in page
    assert 'role="alert"' not in as_user(reviewer).get(reverse("portfolio")).content.decode()


# --- Query counts -----------------------------------------------------------------------------


def grow(n: int, start: int, people) -> None:
    """`n` more initiatives, each with what the pages count and list: a stage, flags, a
    transition, a handover, a business case, a promotion request, a waiver request, health."""
    now = timezone.now()
    runbook = ReadinessMilestone.objects.get(template__is_default=True, key="runbook")
    units = [BusinessUnitFactory(name=name) for name in ("Retail", "Claims")]
    stages = [Stage.POC, Stage.PILOT, Stage.PRODUCTION, Stage.CANCELLED]
    for k in range(start, start + n):
        stage = stages[k % len(stages)]
        initiative = InitiativeFactory(
            slug=f"grown-{k}",
            business_unit=units[k % 2],
            stage=stage,
            stage_entered_at=now - timedelta(days=k + 1),
            production_owner=people["owner"],
            owner_accepted_at=now - timedelta(days=300) if k % 3 else None,
            owner_confirmed_at=now - timedelta(days=100) if k % 3 else None,
            backup_owner=people["backup"],
            health_status=HealthStatus.FAILING if stage == Stage.PRODUCTION else "",
            members=[people["contributor"]],
        )
        StageTransitionFactory(initiative=initiative, from_stage="idea", to_stage="poc")
        for kind in (FlagKind.STALLED, FlagKind.OWNERLESS, FlagKind.STALE_OWNERSHIP):
            FlagFactory(initiative=initiative, kind=kind, facts={"reason": "test"})
        OwnershipHandoverFactory(
            initiative=initiative,
            to_owner=people["owner"],
            requested_by=people["contributor"],
            status=HandoverStatus.PENDING if k % 3 == 0 else HandoverStatus.ACCEPTED,
        )
        BusinessCaseFactory(
            initiative=initiative,
            version=1,
            created_by=people["contributor"],
            submitted_by=people["contributor"],
            submitted_at=now,
        )
        BusinessCaseFactory(
            initiative=initiative,
            version=2,
            status=BusinessCaseStatus.DRAFT,
            created_by=people["contributor"],
        )
        PromotionRequestFactory(initiative=initiative, requested_by=people["contributor"])
        MilestoneRecordFactory(
            initiative=initiative,
            milestone=runbook,
            waiver_requested_at=now,
            waiver_requested_by=people["contributor"],
            waiver_request_reason="Not applicable.",
        )


QUERY_PAGES = {
    "portfolio": ("viewer", reverse("portfolio")),
    "portfolio of a unit": ("viewer", reverse("portfolio") + "?business_unit=Claims"),
    "list": ("viewer", LIST),
    "list, filtered and sorted": (
        "viewer",
        f"{LIST}?stage=poc&stage=production&flag=stalled&reached=poc&ordering=-health",
    ),
    "list by owner, second page": ("viewer", f"{LIST}?ordering=owner&page=2"),
    "initiative": ("contributor", reverse("initiative-detail", args=["grown-0"])),
    "my work (owner)": ("owner", reverse("my-work")),
    "my work (reviewer)": ("reviewer", reverse("my-work")),
    "governance queue": ("reviewer", reverse("governance-queue")),
    "CSV export": ("viewer", reverse("initiative-export") + "?flag=stalled"),
}


def _queries(client: Client, path: str) -> list[str]:
    client.get(path)  # warm caches (content types, sessions) outside the count
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
        assert response.status_code == 200
        content(response)  # a streamed export runs its queries while it is read
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.parametrize("page", QUERY_PAGES)
def test_each_page_runs_as_many_queries_for_30_initiatives_as_for_3(people, page):
    role, path = QUERY_PAGES[page]
    client = client_for(people[role])
    grow(3, 0, people)
    if "page=2" in path:
        grow(25, 3, people)  # a second page exists at both sizes
    small = _queries(client, path)
    grow(30, 100, people)
    large = _queries(client, path)
    assert len(large) == len(small), "\n".join(
        ["more queries with more initiatives:", *large[len(small) - 1 :]]
    )
    # 26: the initiative page reads its EU AI Act classification (one query).
    assert len(small) <= 26, "\n".join(small)


# --- Output escaping --------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
UNIT = "<b>Bold unit</b>"
PERSON = "<img src=x onerror=alert(2)>"


@pytest.fixture
def markup(people):
    """Names with markup everywhere a page shows a name."""
    now = timezone.now()
    owner = people["owner"]
    owner.first_name, owner.last_name = PERSON, ""
    owner.save()
    unit = BusinessUnitFactory(name=UNIT)
    initiative = InitiativeFactory(
        slug="scripted",
        name=SCRIPT,
        summary=SCRIPT,
        business_unit=unit,
        stage=Stage.PRODUCTION,
        stage_entered_at=now - timedelta(days=3),
        production_owner=owner,
        owner_accepted_at=now - timedelta(days=200),
        owner_confirmed_at=now - timedelta(days=100),
        health_status=HealthStatus.SILENT,
        members=[people["contributor"]],
    )
    piloted = InitiativeFactory(
        slug="scripted-pilot",
        name=SCRIPT,
        business_unit=unit,
        stage=Stage.PILOT,
        members=[owner],
    )
    for kind in (FlagKind.OWNERLESS, FlagKind.STALE_OWNERSHIP, FlagKind.HEALTH_SILENT):
        FlagFactory(initiative=initiative, kind=kind, facts={"reason": SCRIPT})
    FlagFactory(initiative=piloted, kind=FlagKind.STALLED, facts={"stage": SCRIPT})
    OwnershipHandoverFactory(initiative=piloted, to_owner=owner, requested_by=owner)
    BusinessCaseFactory(initiative=piloted, version=1, submitted_by=owner, submitted_at=now)
    BusinessCaseFactory(
        initiative=initiative, version=1, status=BusinessCaseStatus.DRAFT, created_by=owner
    )
    PromotionRequestFactory(initiative=piloted, requested_by=owner, note=SCRIPT)
    MilestoneRecordFactory(
        initiative=piloted,
        milestone=ReadinessMilestone.objects.get(template__is_default=True, key="runbook"),
        waiver_requested_at=now,
        waiver_requested_by=owner,
        waiver_request_reason=SCRIPT,
    )
    return initiative


ESCAPED_PAGES = {
    "portfolio": ("owner", reverse("portfolio") + "?business_unit=%3Cb%3EBold+unit%3C%2Fb%3E"),
    "list": ("owner", LIST + "?q=%3Cscript%3E"),
    "initiative": ("owner", reverse("initiative-detail", args=["scripted"])),
    "my work": ("owner", reverse("my-work")),
    "governance queue": ("staff", reverse("governance-queue")),
}


@pytest.mark.parametrize("page", ESCAPED_PAGES)
def test_names_with_markup_render_as_text(markup, people, page):
    role, path = ESCAPED_PAGES[page]
    html = client_for(people[role]).get(path).content.decode()
    for raw in (SCRIPT, UNIT, PERSON):
        assert raw not in html, f"{raw} reached the page unescaped"
    # The only scripts are the portal's own files, empty tags with a src (CSP: no inline).
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", html, re.IGNORECASE | re.DOTALL)
    assert all(not body.strip() for body in scripts)
    tags = re.findall(r"<script\b[^>]*>", html, re.IGNORECASE)
    assert all(re.search(r'src="/static/js/[\w.-]+\.js"', tag) for tag in tags)
    if page == "portfolio":
        assert "Portfolio: &lt;b&gt;Bold unit&lt;/b&gt;" in html
    else:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    if page in ("initiative", "my work", "governance queue"):
        assert "&lt;img src=x onerror=alert(2)&gt;" in html


def test_the_bar_chart_escapes_its_labels_and_links():
    svg = bars(
        [Tally(SCRIPT, 'k"><x', 3, '/initiatives/?q="><script>')],
        label=UNIT,
    )
    for raw in (SCRIPT, UNIT, '"><x', '"><script>'):
        assert raw not in svg
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: 3" in svg
    assert 'data-label="&lt;b&gt;Bold unit&lt;/b&gt;"' in svg
    # A picture of numbers the page gives as text: hidden from assistive technology and out
    # of the tab order (found by review: 17 tab stops inside three "images").
    assert 'aria-hidden="true"' in svg
    assert 'tabindex="-1"' in svg


def test_the_sort_headers_escape_the_query_string(viewer, as_user):
    InitiativeFactory(summary='Try "><script>alert(3)</script> in the search.')
    html = as_user(viewer).get(LIST + '?q="><script>alert(3)</script>').content.decode()
    assert html.count("<th scope=") == 8
    assert "<script>alert(3)" not in html
    assert "q=%22%3E%3Cscript%3Ealert%283%29%3C%2Fscript%3E" in html
