"""The framework view (README "Frameworks"): for each framework, its items and whether
evidence exists, for one initiative and for the portfolio, counted on a worked example;
queries constant in the number of initiatives and milestones."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.core.choices import EvidenceState, Framework, MilestoneStatus, Stage
from initiatives.evidence import selectors
from initiatives.models import CrosswalkLink, FrameworkItem
from tests.factories import InitiativeFactory, MilestoneRecordFactory
from tests.factories.readiness import ReadinessMilestoneFactory, ReadinessTemplateFactory
from tests.support.readiness import shipped_crosswalk

pytestmark = pytest.mark.django_db


def _link(milestone, code):
    item = FrameworkItem.objects.get(code=code)
    CrosswalkLink.objects.create(milestone=milestone, item=item, source=item.source)


@pytest.fixture
def example():
    """Template T: `a` → MEASURE 2.7 and A.6.2.4; `b` → MEASURE 2.7 and MANAGE 4.1;
    `c` → GOVERN 1.1. Pilot X: a done, b waived, c not started. POC Y: nothing recorded.
    Retired R: a done (not counted: readiness is not measured once retired)."""
    shipped_crosswalk()
    template = ReadinessTemplateFactory(key="worked-example")
    a, b, c = (
        ReadinessMilestoneFactory(template=template, key=k, title=f"Milestone {k}", order=n)
        for n, k in enumerate("abc")
    )
    for milestone, code in [
        (a, "MEASURE 2.7"),
        (a, "A.6.2.4"),
        (b, "MEASURE 2.7"),
        (b, "MANAGE 4.1"),
        (c, "GOVERN 1.1"),
    ]:
        _link(milestone, code)
    x = InitiativeFactory(name="X", stage=Stage.PILOT, readiness_template=template)
    y = InitiativeFactory(name="Y", stage=Stage.POC, readiness_template=template)
    r = InitiativeFactory(name="R", stage=Stage.RETIRED, readiness_template=template)
    MilestoneRecordFactory(
        initiative=x, milestone=a, status=MilestoneStatus.DONE, evidence_url="https://ci/1"
    )
    MilestoneRecordFactory(
        initiative=x, milestone=b, status=MilestoneStatus.WAIVED, justification="Platform's."
    )
    MilestoneRecordFactory(
        initiative=r, milestone=a, status=MilestoneStatus.DONE, evidence_note="ok"
    )
    return {"template": template, "x": x, "y": y, "r": r}


def _by_code(coverage, framework):
    found = next(f for f in coverage if f.framework == framework)
    return found, {row.item.code: row for row in found.rows}


def test_one_initiative_counts_evidence_waivers_and_gaps_per_framework(example):
    coverage = selectors.initiative_frameworks(example["x"])

    nist, rows = _by_code(coverage, Framework.NIST_AI_RMF)
    assert rows["MEASURE 2.7"].state == EvidenceState.EVIDENCED  # a done, b waived: done wins
    assert [m.key for m in rows["MEASURE 2.7"].milestones] == ["a", "b"]
    assert rows["MANAGE 4.1"].state == EvidenceState.WAIVED
    assert rows["GOVERN 1.1"].state == EvidenceState.OPEN
    assert rows["MAP 1.1"].state == EvidenceState.UNMAPPED
    assert nist.counts == {"evidenced": 1, "waived": 1, "open": 1, "unmapped": 69}
    iso, rows = _by_code(coverage, Framework.ISO_42001)
    assert rows["A.6.2.4"].state == EvidenceState.EVIDENCED
    assert iso.counts == {"evidenced": 1, "waived": 0, "open": 0, "unmapped": 37}


def test_the_portfolio_names_the_initiatives_behind_each_item(example):
    initiatives, coverage = selectors.portfolio_frameworks()

    assert {i.name for i in initiatives} == {"X", "Y"}  # R is retired
    nist, rows = _by_code(coverage, Framework.NIST_AI_RMF)
    names = {
        code: {
            state: [i.name for i in rows[code].initiatives[state]]
            for state in ("evidenced", "waived", "open")
        }
        for code in ("MEASURE 2.7", "MANAGE 4.1", "GOVERN 1.1")
    }
    assert names == {
        "MEASURE 2.7": {"evidenced": ["X"], "waived": [], "open": ["Y"]},
        "MANAGE 4.1": {"evidenced": [], "waived": ["X"], "open": ["Y"]},
        "GOVERN 1.1": {"evidenced": [], "waived": [], "open": ["X", "Y"]},
    }
    assert rows["MEASURE 2.7"].milestone_titles == ["Milestone a", "Milestone b"]
    assert (nist.counts["evidenced"], nist.counts["waived"], nist.counts["open"]) == (1, 1, 4)


def test_the_initiative_page_shows_counts_and_links_to_the_milestones(example, viewer, as_user):
    x = example["x"]
    response = as_user(viewer).get(reverse("initiative-frameworks", args=[x.slug]))

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 with evidence" in html
    assert "69 not mapped to any milestone" in html
    assert reverse("milestone", args=[x.slug, "a"]) in html
    assert reverse("evidence-pack", args=[x.slug]) in html


def test_the_portfolio_page_links_each_count_to_the_initiatives(example, viewer, as_user):
    response = as_user(viewer).get(reverse("frameworks"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "MEASURE 2.7" in html
    assert reverse("initiative-frameworks", args=[example["y"].slug]) in html
    assert example["r"].slug not in html
    portfolio = as_user(viewer).get(reverse("portfolio")).content.decode()
    assert reverse("frameworks") in portfolio


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context)


def test_framework_pages_take_the_same_queries_for_more_initiatives_and_milestones(
    example, viewer, as_user
):
    client = as_user(viewer)
    x = example["x"]
    pages = [reverse("frameworks"), reverse("initiative-frameworks", args=[x.slug])]
    before = [_queries(client, url) for url in pages]

    template = example["template"]
    for n in range(4):
        milestone = ReadinessMilestoneFactory(template=template, key=f"more-{n}", order=10 + n)
        _link(milestone, "MEASURE 2.1")
        _link(milestone, "A.7.4")
        MilestoneRecordFactory(
            initiative=x, milestone=milestone, status=MilestoneStatus.DONE, evidence_note="yes"
        )
        other = InitiativeFactory(stage=Stage.PILOT, readiness_template=template)
        MilestoneRecordFactory(
            initiative=other, milestone=milestone, status=MilestoneStatus.DONE, evidence_note="y"
        )
    InitiativeFactory.create_batch(3, stage=Stage.PRODUCTION)  # on the default template

    assert [_queries(client, url) for url in pages] == before


def test_the_portfolio_selector_takes_four_queries(example, django_assert_num_queries):
    InitiativeFactory.create_batch(5, stage=Stage.PILOT)
    with django_assert_num_queries(4):
        selectors.portfolio_frameworks()


def test_the_initiative_page_links_to_its_frameworks_and_evidence_pack(example, viewer, as_user):
    x = example["x"]
    html = as_user(viewer).get(x.get_absolute_url()).content.decode()

    assert reverse("initiative-frameworks", args=[x.slug]) in html
    assert reverse("evidence-pack", args=[x.slug]) in html
