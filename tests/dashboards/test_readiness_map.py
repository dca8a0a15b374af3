"""Readiness across the portfolio (issue 15): initiatives × readiness domains, each cell the
share of what the initiative's next stage requires that is done or waived, counted in SQL
and agreeing with each initiative's own checklist."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import MilestoneStatus, Stage
from initiatives.models import ReadinessMilestone
from initiatives.readiness.scoring import checklist
from tests.factories import (
    BusinessUnitFactory,
    InitiativeFactory,
    MilestoneRecordFactory,
    ReadinessMilestoneFactory,
    ReadinessTemplateFactory,
)

pytestmark = pytest.mark.django_db

MAP = reverse("readiness-map")


def record(initiative, milestone, status):
    """A milestone record as the checklist form saves it: done with evidence, waived with a
    justification."""
    return MilestoneRecordFactory(
        initiative=initiative,
        milestone=milestone,
        status=status,
        evidence_note="Checked in the test." if status == MilestoneStatus.DONE else "",
        check_mode="manual" if status == MilestoneStatus.DONE else "",
        justification="Waived in the test." if status == MilestoneStatus.WAIVED else "",
    )


def default_milestones(required_for: str) -> list[ReadinessMilestone]:
    return list(
        ReadinessMilestone.objects.filter(
            template__is_default=True, active=True, required_for=required_for
        ).order_by("order")
    )


@pytest.fixture
def initiatives(db):
    retail = BusinessUnitFactory(name="Retail")
    claims = BusinessUnitFactory(name="Claims")
    pilot_ones = default_milestones(Stage.PILOT)
    production_ones = default_milestones(Stage.PRODUCTION)
    poc = InitiativeFactory(slug="in-poc", name="In POC", stage=Stage.POC, business_unit=retail)
    record(poc, pilot_ones[0], MilestoneStatus.DONE)
    record(poc, pilot_ones[1], MilestoneStatus.WAIVED)
    record(poc, pilot_ones[2], MilestoneStatus.IN_PROGRESS)
    # Done, but the next stage (pilot) does not require it: counted nowhere.
    record(poc, production_ones[0], MilestoneStatus.DONE)
    pilot = InitiativeFactory(
        slug="in-pilot", name="In pilot", stage=Stage.PILOT, business_unit=claims
    )
    for milestone in pilot_ones:
        record(pilot, milestone, MilestoneStatus.DONE)
    record(pilot, production_ones[0], MilestoneStatus.DONE)
    # Its own template: two domains of its own, one milestone retired.
    template = ReadinessTemplateFactory()
    own = [
        ReadinessMilestoneFactory(template=template, domain="Fairness", order=1),
        ReadinessMilestoneFactory(template=template, domain="Fairness", order=2),
        ReadinessMilestoneFactory(template=template, domain="Privacy", order=3),
        ReadinessMilestoneFactory(template=template, domain="Privacy", order=4, active=False),
    ]
    custom = InitiativeFactory(
        slug="own-template",
        name="Own template",
        stage=Stage.IDEA,
        business_unit=retail,
        readiness_template=template,
    )
    record(custom, own[0], MilestoneStatus.DONE)
    record(custom, own[3], MilestoneStatus.DONE)
    # A record on the default template's milestone no longer counts for it.
    record(custom, pilot_ones[0], MilestoneStatus.DONE)
    InitiativeFactory(slug="gone", stage=Stage.CANCELLED, business_unit=retail)
    return {"poc": poc, "pilot": pilot, "custom": custom}


def test_each_cell_agrees_with_the_initiatives_own_checklist(initiatives, viewer, as_user):
    response = as_user(viewer).get(MAP)
    rows = {row.initiative.slug: row for row in response.context["rows"]}
    assert set(rows) == {"in-poc", "in-pilot", "own-template"}  # cancelled is not measured
    for slug, row in rows.items():
        readiness = checklist(row.initiative)
        expected = {d.name: (d.required, d.satisfied) for d in readiness.domains if d.required}
        shown = {c.domain: (c.required, c.satisfied) for c in row.cells if c.required}
        assert shown == expected, slug
        assert (row.total.required, row.total.satisfied) == (
            readiness.total.required,
            readiness.total.satisfied,
        )
        assert row.target == readiness.target
    assert (rows["in-poc"].total.satisfied, rows["own-template"].total.required) == (2, 3)


def test_the_map_shows_numbers_as_text_and_links_each_row_to_its_checklist(
    initiatives, viewer, as_user
):
    page = as_user(viewer).get(MAP).content.decode()
    checklist_url = reverse("readiness", args=["in-poc"])
    assert f'<a href="{checklist_url}">In POC</a>' in page
    assert '<td class="heat heat-done">' in page
    assert "100.0 %" in page  # in-pilot's pilot milestones, written, not only coloured
    assert '<th scope="col">Fairness</th>' in page
    assert "<caption" in page


def test_the_map_filters_by_business_unit_and_stage(initiatives, viewer, as_user):
    client = as_user(viewer)
    rows = client.get(MAP + "?business_unit=Retail").context["rows"]
    assert {r.initiative.slug for r in rows} == {"in-poc", "own-template"}
    rows = client.get(MAP + "?business_unit=Retail&stage=poc").context["rows"]
    assert [r.initiative.slug for r in rows] == ["in-poc"]
    response = client.get(MAP + "?stage=retired")
    assert "Select a valid choice" in " ".join(response.context["form"].errors["stage"])


def test_the_map_pages_and_counts_the_same_queries_for_any_portfolio(
    viewer, as_user, django_assert_num_queries
):
    done = default_milestones(Stage.PILOT)[0]
    now = timezone.now()

    def grow(n, start):
        for k in range(start, start + n):
            initiative = InitiativeFactory(
                slug=f"grown-{k:03}", stage=Stage.POC, stage_entered_at=now - timedelta(days=k)
            )
            record(initiative, done, MilestoneStatus.DONE)

    client = as_user(viewer)
    grow(3, 0)
    client.get(MAP)
    # The session (read, then saved in a savepoint: 4), the user, groups (the navigation),
    # business units (the filter), the count, the page's rows, the templates' milestones,
    # the page's records.
    with django_assert_num_queries(11):
        client.get(MAP + "?page=1")
    grow(30, 3)
    with django_assert_num_queries(11):
        response = client.get(MAP + "?page=2")
    assert response.context["paginator"].count == 33
    assert len(response.context["rows"]) == 8
    assert "Page 2 of 2" in response.content.decode()


def test_the_portfolio_links_to_the_map(viewer, as_user):
    page = as_user(viewer).get(reverse("portfolio")).content.decode()
    assert f'href="{MAP}"' in page


def test_the_map_is_for_people_signed_in(client):
    response = client.get(MAP)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
