"""Choosing people by name: who is offered (active people, never a machine client), the
people search the pickers ask, and the same rule refusing anyone else sent by hand, on the
pages and in the API."""

import pytest
from django.urls import reverse

from initiatives.core.forms import PersonChoiceField
from initiatives.core.people import PEOPLE_SEARCH_LIMIT, people_search, people_to_name
from initiatives.models import Initiative
from tests.factories import BusinessUnitFactory, InitiativeFactory, UserFactory
from tests.support.clients import api_client_for, client_for

pytestmark = pytest.mark.django_db

SEARCH = reverse("people-search")


@pytest.fixture
def people(db):
    return {
        "ada": UserFactory(username="alovelace", first_name="Ada", last_name="Lovelace"),
        "adam": UserFactory(username="asmith", first_name="Adam", last_name="Smith"),
        "grace": UserFactory(username="ghopper", first_name="Grace", last_name="Hopper"),
        "bot": UserFactory(
            username="probe", first_name="Ada", last_name="Probe", machine_client=True
        ),
        "gone": UserFactory(username="aleft", first_name="Ada", last_name="Left", is_active=False),
    }


def search(user, q: str):
    return client_for(user).get(SEARCH, {"q": q})


def test_people_to_name_are_active_people_who_are_not_machine_clients(people):
    names = list(people_to_name().values_list("username", flat=True))
    assert "probe" not in names
    assert "aleft" not in names
    assert [u for u in names if u in {"alovelace", "asmith", "ghopper"}] == [
        "alovelace",
        "asmith",
        "ghopper",
    ]  # Ada, Adam, Grace: by first name


def test_a_superuser_in_the_machine_clients_group_is_still_a_person(people):
    admin = UserFactory(username="root", is_superuser=True, machine_client=True)
    assert admin in people_to_name()


def test_people_search_finds_first_and_last_names_whatever_the_case(people, viewer):
    assert [p["username"] for p in search(viewer, "ADA").json()["results"]] == [
        "alovelace",
        "asmith",
    ]
    assert [p["username"] for p in search(viewer, "hopp").json()["results"]] == ["ghopper"]
    # Every word must match: the first and the last name together narrow to one person.
    assert [p["username"] for p in search(viewer, "ada love").json()["results"]] == ["alovelace"]


def test_people_search_never_returns_a_machine_client_nor_someone_who_left(people, viewer):
    found = {p["username"] for p in search(viewer, "ada").json()["results"]}
    assert found == {"alovelace", "asmith"}
    assert search(viewer, "probe").json()["results"] == []
    assert search(viewer, "left").json()["results"] == []


def test_people_search_labels_people_and_shows_no_email_address(people, viewer):
    (ada,) = search(viewer, "lovelace").json()["results"]
    assert ada == {
        "id": people["ada"].pk,
        "username": "alovelace",
        "label": "Ada Lovelace (alovelace)",
    }
    assert "@" not in search(viewer, "a").content.decode()


def test_people_search_returns_at_most_twenty(viewer):
    for n in range(PEOPLE_SEARCH_LIMIT + 5):
        UserFactory(username=f"zed{n}", first_name="Zed", last_name=f"Number {n}")
    assert len(search(viewer, "zed").json()["results"]) == PEOPLE_SEARCH_LIMIT
    assert len(people_search("zed", limit=3)) == 3


def test_people_search_of_nothing_finds_nobody(people, viewer):
    assert search(viewer, "   ").json() == {"results": []}


@pytest.mark.parametrize(
    ("role", "expected"),
    [("anonymous", 302), ("inactive", 302), ("viewer", 200), ("reviewer", 200)],
)
def test_people_search_is_for_signed_in_people_only(people, role, expected):
    user = {
        "anonymous": None,
        "inactive": people["gone"],
        "viewer": UserFactory(username="viewer"),
        "reviewer": UserFactory(username="reviewer", governance=True),
    }[role]
    response = search(user, "ada")
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith(reverse("login"))
    else:
        assert {p["username"] for p in response.json()["results"]} == {"alovelace", "asmith"}


def test_a_person_field_refuses_a_machine_client_or_someone_who_left(people):
    field = PersonChoiceField()
    assert field.clean(str(people["ada"].pk)) == people["ada"]
    for refused in ("bot", "gone"):
        with pytest.raises(Exception, match="service accounts"):
            field.clean(str(people[refused].pk))
    assert "probe" not in str(field.widget.render("sponsor", None))


def test_the_new_initiative_form_refuses_a_machine_client_sent_by_hand(people, viewer):
    unit = BusinessUnitFactory(name="Claims")
    data = {"name": "Claims triage", "business_unit": unit.pk, "risk_tier": "medium"}
    for field, value in (("sponsor", people["bot"].pk), ("team_members", [people["bot"].pk])):
        response = client_for(viewer).post(reverse("initiative-create"), {**data, field: value})
        assert response.status_code == 200
        assert "service accounts (machine clients)" in " ".join(
            response.context["form"].errors[field]
        )
    assert not Initiative.objects.exists()


def test_the_handover_form_never_offers_a_machine_client(people, contributor, initiative):
    page = client_for(contributor).get(reverse("initiative-handover", args=[initiative.slug]))
    html = page.content.decode()
    assert "Ada Lovelace (alovelace)" in html
    assert "probe" not in html


def test_the_api_refuses_a_machine_client_as_sponsor_member_or_owner(people, contributor):
    BusinessUnitFactory(name="Claims")
    client = api_client_for(contributor)
    body = {"name": "Claims triage", "slug": "claims-triage", "business_unit": "Claims"}
    for field, value in (("sponsor", "probe"), ("team_members", ["probe"])):
        response = client.post("/api/v1/initiatives/", {**body, field: value}, format="json")
        assert response.status_code == 400
        assert "machine clients" in str(response.json()), response.json()
    initiative = InitiativeFactory(slug="fraud", members=[contributor])
    response = client.post(
        f"/api/v1/initiatives/{initiative.slug}/handover/", {"to_owner": "probe"}, format="json"
    )
    assert response.status_code == 400
    assert "to_owner" in str(response.json())
