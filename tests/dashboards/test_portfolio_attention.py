"""The portfolio names names (issue 15): "needs attention" lists the initiatives most
failing, silent, ownerless, regressing or stalled, by name, with why and since when, most
urgent first, capped with a link to exactly the rest; health is told in one set of words."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import FlagKind, HealthStatus, Stage
from initiatives.dashboards import summary as summary_module
from tests.factories import FlagFactory, InitiativeFactory, ScanRunFactory
from tests.support import dashboard_portfolio
from tests.support.clients import api_client_for, listed_slugs

pytestmark = pytest.mark.django_db

LIST = reverse("initiative-list")


@pytest.fixture
def portfolio(db):
    built = dashboard_portfolio.build()
    now = timezone.now()
    ScanRunFactory(as_of=now, started_at=now, finished_at=now)
    return built


def test_needs_attention_names_each_initiative_with_why_and_since(portfolio, viewer, as_user):
    failing = portfolio["c-prod-failing"]
    flag = failing.flags.get(kind=FlagKind.HEALTH_DEGRADED)
    flag.facts = {"status": "failing", "reason": "availability 90 is below 95"}
    flag.opened_at = timezone.now() - timedelta(days=3)
    flag.save()
    response = as_user(viewer).get(reverse("portfolio"))
    first = response.context["summary"].attention[0]
    assert first.initiative == failing
    # The health status's word (failing), never the flag kind's (degraded).
    assert first.reasons == ["Health failing: availability 90 is below 95"]
    assert first.since == flag.opened_at
    page = response.content.decode()
    assert f'<a href="{failing.get_absolute_url()}">C prod failing</a>' in page
    assert "Health failing: availability 90 is below 95" in page
    assert flag.opened_at.strftime("%-d %b %Y") in page
    stalled = next(
        a for a in response.context["summary"].attention if a.initiative.slug == "c-pilot-150"
    )
    # Every open flag is a reason, the more urgent first.
    assert [r.split(":")[0] for r in stalled.reasons] == ["Stalled", "Business case missing"]


def test_needs_attention_shows_ten_and_links_to_exactly_all_of_them(portfolio, viewer, as_user):
    for n in range(4):
        FlagFactory(
            initiative=InitiativeFactory(slug=f"stuck-{n}", stage=Stage.POC),
            kind=FlagKind.STALLED,
        )
    client = as_user(viewer)
    response = client.get(reverse("portfolio"))
    summary = response.context["summary"]
    assert len(summary.attention) == summary_module.ATTENTION_LIMIT == 10
    assert summary.attention_total == 13
    assert summary.attention_url == f"{LIST}?attention=true"
    page = response.content.decode()
    assert f'<a href="{LIST}?attention=true">All 13 that need attention →</a>' in page
    listed = listed_slugs(client.get(summary.attention_url))
    assert len(listed) == 13
    named = {a.initiative.slug for a in summary.attention}
    assert named <= listed


def test_needs_attention_narrows_to_the_business_unit(portfolio, viewer, as_user):
    summary = as_user(viewer).get(reverse("portfolio") + "?business_unit=Retail").context["summary"]
    assert summary.attention_url == f"{LIST}?attention=true&business_unit=Retail"
    assert {a.initiative.business_unit.name for a in summary.attention} == {"Retail"}


def test_health_is_counted_once_in_the_words_of_its_status(portfolio, viewer, as_user):
    """Found in issue 15: "health degraded 2" (a flag kind counting failing systems too) sat
    beside "degraded 1". The portfolio counts health by status only."""
    response = as_user(viewer).get(reverse("portfolio"))
    summary = response.context["summary"]
    assert FlagKind.HEALTH_DEGRADED not in {t.key for t in summary.flags}
    assert FlagKind.HEALTH_SILENT not in {t.key for t in summary.flags}
    page = response.content.decode()
    assert "health degraded</a>" not in page
    assert "health silent</a>" not in page
    assert "1 degraded</a>" in page
    assert "1 failing</a>" in page
    words = {r.split(":")[0] for a in summary.attention for r in a.reasons}
    assert {"Health failing", "Health silent", "Health degraded"} <= words


def test_a_system_that_turned_failing_since_the_scan_needs_attention_at_once(
    portfolio, viewer, as_user
):
    """A health report stores the status at once; the flag waits for the next scan. The
    portfolio goes by the status, so it is never a scan behind its own health tallies."""
    healthy = portfolio["r-prod-healthy"]
    healthy.health_status = HealthStatus.FAILING
    healthy.save()
    summary = as_user(viewer).get(reverse("portfolio")).context["summary"]
    item = next(a for a in summary.attention if a.initiative == healthy)
    assert (item.reasons, item.since) == (["Health failing"], None)


def test_nothing_needs_attention_says_so(viewer, as_user):
    InitiativeFactory(stage=Stage.PRODUCTION, health_status=HealthStatus.HEALTHY)
    page = as_user(viewer).get(reverse("portfolio")).content.decode()
    assert "Nothing needs attention" in page


def test_the_api_gives_the_same_names_as_the_page(portfolio, viewer, as_user):
    page = as_user(viewer).get(reverse("portfolio")).context["summary"]
    client = api_client_for(viewer)
    body = client.get("/api/v1/portfolio/").json()
    assert [row["slug"] for row in body["needs_attention"]] == [
        a.initiative.slug for a in page.attention
    ]
    assert body["needs_attention"][0]["reasons"] == page.attention[0].reasons
    assert body["needs_attention_total"] == 9
    assert client.get(body["needs_attention_api_url"]).json()["count"] == 9
    assert all(isinstance(row["median_days"], int) for row in body["valley"])


def test_medians_are_whole_days(viewer, as_user):
    now = timezone.now()
    for days in (10, 13):  # a median of 11.5 days is told as 11
        InitiativeFactory(stage=Stage.POC, stage_entered_at=now - timedelta(days=days, hours=1))
    response = as_user(viewer).get(reverse("portfolio"))
    assert response.context["summary"].valley[0].median_days == 11
    assert 'class="measure"' in response.content.decode()
    assert ">11.5<" not in response.content.decode()


def test_the_portfolio_runs_a_fixed_number_of_queries(
    portfolio, viewer, as_user, django_assert_num_queries
):
    client = as_user(viewer)
    client.get(reverse("portfolio"))  # the session and content types, outside the count
    # The session (read, saved), the user, their groups (the navigation), the business units
    # (the filter); 8 for the summary (the dashboards' counters, the median and the worst days
    # in POC and in pilot, the attention rows and their flags, the version of the value
    # figures: the valley's totals are kept in the cache, no cases here so no rows to name);
    # the scan, the handovers waiting, 1 for value promised and delivered (its version: the
    # figures are kept), and 2 for the EU AI Act (the counters, the high-risk systems with
    # obligations outstanding).
    with django_assert_num_queries(20):
        client.get(reverse("portfolio"))
