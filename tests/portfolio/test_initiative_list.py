"""The initiative list: filters by the owner's and the sponsor's names, search that finds
people's names, active filters as removable chips, one way to sort (the column headers),
open flags and days in stage per row, in a constant number of queries."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.core.choices import FlagKind, Stage
from tests.factories import FlagFactory, InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db

LIST = reverse("initiative-list")


@pytest.fixture
def ada(db):
    return UserFactory(username="alovelace", first_name="Ada", last_name="Lovelace")


@pytest.fixture
def grace(db):
    return UserFactory(username="ghopper", first_name="Grace", last_name="Hopper")


def names(response) -> list[str]:
    return [i.name for i in response.context["object_list"]]


def test_the_list_filters_by_owner_chosen_by_name(viewer, as_user, ada, grace):
    InitiativeFactory(name="Ada's", production_owner=ada)
    InitiativeFactory(name="Grace's", production_owner=grace)
    response = as_user(viewer).get(LIST, {"owner": "alovelace"})
    assert names(response) == ["Ada's"]
    html = response.content.decode()
    # The owner filter offers people by name; the chosen one is selected and shown as a chip.
    assert '<option value="alovelace" selected>Ada Lovelace (alovelace)</option>' in html
    assert "Production owner: Ada Lovelace" in html


def test_the_list_filters_by_sponsor_chosen_by_name(viewer, as_user, ada, grace):
    InitiativeFactory(name="Backed by Grace", sponsor=grace)
    InitiativeFactory(name="Backed by Ada", sponsor=ada)
    response = as_user(viewer).get(LIST, {"sponsor": "ghopper"})
    assert names(response) == ["Backed by Grace"]
    assert "Sponsor: Grace Hopper" in response.content.decode()


def test_in_a_large_organisation_the_person_filters_offer_only_who_is_chosen(
    viewer, as_user, ada, grace, monkeypatch
):
    """Past PERSON_FILTER_OPTIONS people the page reads no list of everyone (it grew with
    the organisation: 5,201 people at 100,000 initiatives): the select offers the chosen
    person, and the picker searches for the others."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from initiatives.core import forms

    InitiativeFactory(name="Ada's", production_owner=ada)
    monkeypatch.setattr(forms, "PERSON_FILTER_OPTIONS", 2)  # ada, grace and the viewer
    client = as_user(viewer)
    client.get(LIST)  # the session, outside the count
    with CaptureQueriesContext(connection) as few:
        response = client.get(LIST, {"owner": "alovelace"})
    html = response.content.decode()
    assert names(response) == ["Ada's"]
    assert '<option value="alovelace" selected>Ada Lovelace (alovelace)</option>' in html
    assert "ghopper" not in html
    assert 'data-search-url="/people/search/"' in html
    for n in range(20):
        UserFactory(username=f"person-{n}")
    with CaptureQueriesContext(connection) as more:
        assert "person-1" not in client.get(LIST, {"owner": "alovelace"}).content.decode()
    assert len(more) == len(few)


def test_the_person_filters_never_offer_a_machine_client(viewer, as_user):
    UserFactory(username="probe", first_name="Uptime", last_name="Probe", machine_client=True)
    assert "Uptime Probe" not in as_user(viewer).get(LIST).content.decode()


def test_search_finds_owners_and_sponsors_by_first_or_last_name(viewer, as_user, ada, grace):
    InitiativeFactory(name="Owned by Ada", production_owner=ada)
    InitiativeFactory(name="Sponsored by Grace", sponsor=grace)
    InitiativeFactory(name="Nobody's")
    client = as_user(viewer)
    assert names(client.get(LIST, {"q": "lovelace"})) == ["Owned by Ada"]
    assert names(client.get(LIST, {"q": "GRACE"})) == ["Sponsored by Grace"]
    assert names(client.get(LIST, {"q": "grace hopper"})) == ["Sponsored by Grace"]
    assert names(client.get(LIST, {"q": "ada hopper"})) == []  # two people, not one


def test_search_by_name_also_works_through_the_api(viewer, ada):
    from tests.support.clients import api_client_for

    InitiativeFactory(name="Owned by Ada", slug="owned", production_owner=ada)
    InitiativeFactory(name="Other", slug="other")
    body = api_client_for(viewer).get("/api/v1/initiatives/", {"q": "ada"}).json()
    assert [row["slug"] for row in body["results"]] == ["owned"]


def test_each_active_filter_is_a_chip_that_removes_only_itself(viewer, as_user):
    InitiativeFactory(stage=Stage.POC)
    response = as_user(viewer).get(LIST + "?stage=poc&stage=pilot&q=fraud&ordering=name&page=1")
    chips = {c.label: c.remove_query for c in response.context["chips"]}
    assert set(chips) == {"Stage: Proof of concept", "Stage: Pilot", "Search: “fraud”"}
    assert chips["Stage: Pilot"] == "stage=poc&q=fraud&ordering=name"
    assert chips["Search: “fraud”"] == "stage=poc&stage=pilot&ordering=name"
    html = response.content.decode()
    assert 'aria-label="Remove filter Stage: Pilot"' in html
    assert '<summary>Filters <span class="badge">3 active</span></summary>' in html


def test_the_filters_fold_away_in_a_details_element(viewer, as_user):
    html = as_user(viewer).get(LIST).content.decode()
    assert re.search(r"<details class=\"filter-panel\"[^>]*>\s*<summary>Filters</summary>", html)
    assert "/static/js/initiative-list.js" in html


def test_sorting_is_by_the_column_headers_only(viewer, as_user):
    InitiativeFactory()
    html = as_user(viewer).get(LIST, {"ordering": "-name"}).content.decode()
    start = html.index('<form method="get"')
    form = html[start : html.index("</form>", start)]
    assert 'id="id_ordering"' not in html  # no second sort control
    assert '<input type="hidden" name="ordering" value="-name">' in form  # kept on Apply
    assert '<th scope="col" aria-sort="descending"><a href="?ordering=name">Name' in html
    assert '<span aria-hidden="true"> ▼</span>' in html


def test_sorting_by_days_in_stage_puts_the_longest_first_when_descending(viewer, as_user):
    now = timezone.now()
    InitiativeFactory(name="Recent", stage_entered_at=now - timedelta(days=2))
    InitiativeFactory(name="Stuck", stage_entered_at=now - timedelta(days=200))
    InitiativeFactory(name="Middling", stage_entered_at=now - timedelta(days=40))
    client = as_user(viewer)
    assert names(client.get(LIST, {"ordering": "-days_in_stage"})) == [
        "Stuck",
        "Middling",
        "Recent",
    ]
    assert names(client.get(LIST, {"ordering": "days_in_stage"})) == [
        "Recent",
        "Middling",
        "Stuck",
    ]


def test_rows_show_days_in_stage_and_open_flags(viewer, as_user):
    stuck = InitiativeFactory(name="Stuck", stage_entered_at=timezone.now() - timedelta(days=45))
    FlagFactory(initiative=stuck, kind=FlagKind.STALLED)
    FlagFactory(initiative=stuck, kind=FlagKind.OWNERLESS, resolved_at=timezone.now())
    InitiativeFactory(name="Fine")
    html = as_user(viewer).get(LIST, {"ordering": "name"}).content.decode()
    rows = html[html.index("<tbody>") : html.index("</tbody>")].split("<tr>")[1:]
    fine, stuck_row = rows
    assert ">45</td>" in stuck_row
    assert 'href="?flag=stalled"' in stuck_row
    assert "Ownerless" not in stuck_row  # a resolved flag is not open
    assert "none</span></td>" in fine


def test_a_page_of_the_list_costs_the_same_queries_for_5_or_50_initiatives(
    viewer, as_user, django_assert_num_queries, ada, grace
):
    client = as_user(viewer)

    def arrange(n: int) -> None:
        for _ in range(n):
            initiative = InitiativeFactory(production_owner=ada, sponsor=grace)
            FlagFactory(initiative=initiative, kind=FlagKind.STALLED)

    arrange(5)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    query = {"owner": "alovelace", "sponsor": "ghopper", "stage": "idea", "q": "a"}
    with CaptureQueriesContext(connection) as few:
        assert client.get(LIST, query).status_code == 200
    arrange(45)
    with django_assert_num_queries(len(few)):
        response = client.get(LIST, query)
    assert response.context["paginator"].count == 50
