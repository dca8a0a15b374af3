"""The EU AI Act on the portfolio: counts by category, each leading to the list of that
many (the one filterset, so the API list too), and the high-risk systems with obligations
outstanding with the nearest application date."""

import pytest
from django.urls import reverse

from initiatives.core.choices import Stage
from initiatives.dashboards.summary import regulation_summary
from initiatives.models import BusinessUnit
from initiatives.regulation import services
from tests.factories import ClassificationFactory, InitiativeFactory
from tests.support.clients import api_client_for
from tests.support.regulation import answers

pytestmark = pytest.mark.django_db


@pytest.fixture
def classified(contributor, reviewer):
    """Two high-risk (one confirmed through the services, so its obligations apply), one
    transparency, one minimal, one prohibited; an older prohibited version superseded by a
    minimal one; two not classified."""
    cv = InitiativeFactory(slug="cv", name="CV screening", stage=Stage.PILOT, members=[contributor])
    c = services.classification_submit(
        initiative=cv, actor=contributor, answers=answers(role="provider", annex_iii="p4a")
    )
    services.classification_confirm(classification=c, actor=reviewer)
    ClassificationFactory(initiative=InitiativeFactory(slug="credit"), category="high_risk")
    ClassificationFactory(initiative=InitiativeFactory(slug="bot"), category="transparency")
    ClassificationFactory(initiative=InitiativeFactory(slug="spam"), category="minimal")
    ClassificationFactory(initiative=InitiativeFactory(slug="scoring"), category="prohibited")
    changed = InitiativeFactory(slug="changed")
    ClassificationFactory(initiative=changed, version=1, category="prohibited")
    ClassificationFactory(initiative=changed, version=2, category="minimal")
    InitiativeFactory(slug="new-idea")
    waiting = InitiativeFactory(slug="waiting")
    ClassificationFactory(initiative=waiting, status="submitted", category="high_risk")
    return cv


def test_counts_by_category_lead_to_lists_of_that_many(classified, viewer, as_user):
    client = as_user(viewer)
    page = client.get(reverse("portfolio"))
    tallies = {t.key: t for t in page.context["regulation"].categories}

    assert {k: t.count for k, t in tallies.items()} == {
        "prohibited": 1,
        "high_risk": 2,
        "transparency": 1,
        "minimal": 2,
        "unclassified": 2,
    }
    for key, tally in tallies.items():
        assert tally.url == f"/initiatives/?eu_ai_act={key}"
        listed = client.get(tally.url).context["paginator"].count
        assert listed == tally.count, key
        api = api_client_for(viewer).get(f"/api/v1/initiatives/?eu_ai_act={key}").json()
        assert api["count"] == tally.count, key
    assert api_client_for(viewer).get("/api/v1/initiatives/?eu_ai_act=risky").status_code == 400


def test_high_risk_systems_with_obligations_outstanding_and_their_nearest_date(
    classified, viewer, as_user
):
    summary = regulation_summary()

    assert [s.initiative.slug for s in summary.outstanding] == ["cv"]
    system = summary.outstanding[0]
    assert system.outstanding > 0
    html = as_user(viewer).get(reverse("portfolio")).content.decode()
    assert '<a href="/initiatives/cv/readiness/">CV screening</a>' in html
    assert f"{system.nearest:%-d %b %Y}" in html


def test_a_business_unit_narrows_the_regulation_numbers(classified):
    unit = BusinessUnit.objects.get(initiatives__slug="spam")
    summary = regulation_summary(business_unit=unit)
    counts = {t.key: t.count for t in summary.categories}
    assert counts["minimal"] >= 1
    assert all(f"business_unit={unit.name.replace(' ', '+')}" in t.url for t in summary.categories)


def test_the_regulation_numbers_take_two_queries_whatever_the_portfolio(
    classified, django_assert_num_queries
):
    with django_assert_num_queries(2):
        regulation_summary()
    for n in range(5):
        ClassificationFactory(initiative=InitiativeFactory(slug=f"more-{n}"), category="minimal")
    with django_assert_num_queries(2):
        regulation_summary()
