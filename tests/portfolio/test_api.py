"""REST API v1: initiatives and their transitions; JSON errors that name the field."""

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from initiatives.core.choices import Stage
from initiatives.models import Initiative, StageTransition
from tests.factories import BusinessUnitFactory, InitiativeFactory, complete_readiness
from tests.support.clients import api_client_for

pytestmark = pytest.mark.django_db


def new_initiative(**overrides):
    BusinessUnitFactory(name="Claims")
    return {
        "name": "Claims triage",
        "slug": "claims-triage",
        "summary": "Route claims.",
        "business_unit": "Claims",
        "risk_tier": "high",
        **overrides,
    }


def test_create_initiative_makes_the_creator_a_contributor(viewer):
    response = api_client_for(viewer).post("/api/v1/initiatives/", new_initiative(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["slug"] == "claims-triage"
    assert body["stage"] == Stage.IDEA
    assert body["team_members"] == ["viewer"]
    assert body["business_unit"] == "Claims"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "x" * 201}, "name"),
        ({"name": ""}, "name"),
        ({"slug": "Not a slug!"}, "slug"),
        ({"business_unit": "Nowhere"}, "business_unit"),
        ({"risk_tier": "extreme"}, "risk_tier"),
        ({"target_production_date": "31/12/2026"}, "target_production_date"),
        ({"sponsor": "nobody-by-that-name"}, "sponsor"),
        ({"stage": "production"}, "stage"),
        ({"production_owner": "viewer"}, "production_owner"),
    ],
)
def test_bad_input_names_the_field_and_saves_nothing(viewer, overrides, field):
    response = api_client_for(viewer).post(
        "/api/v1/initiatives/", new_initiative(**overrides), format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not Initiative.objects.exists()


def test_a_duplicate_slug_is_refused(viewer):
    InitiativeFactory(slug="claims-triage")
    response = api_client_for(viewer).post("/api/v1/initiatives/", new_initiative(), format="json")
    assert response.status_code == 400
    assert response.json()["slug"] == ["initiative with this slug already exists."]
    assert Initiative.objects.count() == 1


def test_malformed_json_is_a_clear_400(viewer):
    response = api_client_for(viewer).post(
        "/api/v1/initiatives/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_update_refuses_stage_and_keeps_the_slug(initiative, contributor):
    client = api_client_for(contributor)
    response = client.patch(
        f"/api/v1/initiatives/{initiative.slug}/", {"stage": "production"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"stage": ["Unknown or read-only field."]}
    response = client.patch(
        f"/api/v1/initiatives/{initiative.slug}/", {"slug": "renamed"}, format="json"
    )
    assert response.status_code == 400
    initiative.refresh_from_db()
    assert (initiative.stage, initiative.slug) == (Stage.IDEA, "fraud-scoring")


def test_list_filters_by_stage_and_search(contributor):
    InitiativeFactory(name="Invoice matching", stage=Stage.POC)
    InitiativeFactory(name="Demand forecast", stage=Stage.PILOT, summary="Weekly 100% demand")
    client = api_client_for(contributor)
    body = client.get("/api/v1/initiatives/", {"stage": "pilot"}).json()
    assert [r["name"] for r in body["results"]] == ["Demand forecast"]
    body = client.get("/api/v1/initiatives/", {"q": "100%"}).json()
    assert [r["name"] for r in body["results"]] == ["Demand forecast"]
    body = client.get("/api/v1/initiatives/", {"stage": "nonsense"}).json()
    assert "stage" in body


def test_page_size_is_capped(contributor):
    response = api_client_for(contributor).get("/api/v1/initiatives/", {"page_size": 100000})
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_list_query_count_does_not_grow_with_initiatives(
    contributor, django_assert_max_num_queries
):
    for _ in range(30):
        InitiativeFactory()
    client = api_client_for(contributor)
    client.get("/api/v1/initiatives/")  # the first request in a minute records the token's use
    # token lookup, knox's expiry sweep, the machine-client check, count, page (joins in SQL)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/initiatives/")
    assert response.json()["count"] == 30


def test_transition_refused_lists_the_reasons_under_to_stage(contributor):
    initiative = InitiativeFactory(stage=Stage.POC, members=[contributor])
    complete_readiness(initiative, required_for=Stage.PILOT)
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/transition/", {"to_stage": "pilot"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["to_stage"] == ["Name a production owner.", "Submit a business case."]
    base = "http://testserver/initiatives/" + initiative.slug
    assert body["unmet_conditions"] == [
        {
            "domain": "Ownership",
            "group": "",
            "title": "Name a production owner",
            "message": "Name a production owner.",
            "fix_url": f"{base}/owner/",
        },
        {
            "domain": "Business case",
            "group": "",
            "title": "Write the business case",
            "message": "Submit a business case.",
            "fix_url": f"{base}/business-case/new/",
        },
    ]
    assert not StageTransition.objects.exists()


def test_transition_then_list_transitions(initiative, contributor):
    client = api_client_for(contributor)
    response = client.post(
        f"/api/v1/initiatives/{initiative.slug}/transition/",
        {"to_stage": "poc", "note": "Go"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["actor"] == "contributor"
    listing = client.get(f"/api/v1/initiatives/{initiative.slug}/transitions/").json()
    assert [(t["from_stage"], t["to_stage"]) for t in listing["results"]] == [("idea", "poc")]


def test_unknown_stage_is_a_field_error(initiative, contributor):
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/transition/", {"to_stage": "live"}, format="json"
    )
    assert response.status_code == 400
    assert "to_stage" in response.json()


def test_a_client_can_send_back_the_team_it_read_although_a_member_has_left(contributor):
    """Found by review: GET listed a deactivated member, and PUTting that list back was
    refused. Keeping them is allowed; adding a deactivated person still is not."""
    from tests.factories import InitiativeFactory, UserFactory

    departed = UserFactory(username="felix")
    initiative = InitiativeFactory(slug="kept-team", members=[contributor, departed])
    departed.is_active = False
    departed.save()
    client = APIClient()
    client.force_authenticate(contributor)
    url = f"/api/v1/initiatives/{initiative.slug}/"
    team = client.get(url).json()["team_members"]
    assert sorted(team) == ["contributor", "felix"]

    kept = client.patch(url, {"team_members": team, "summary": "New summary."}, format="json")
    assert kept.status_code == 200, kept.json()
    assert sorted(kept.json()["team_members"]) == ["contributor", "felix"]

    UserFactory(username="gone", is_active=False)
    added = client.patch(url, {"team_members": [*team, "gone"]}, format="json")
    assert added.status_code == 400
    assert "gone" in str(added.json()["team_members"])


# --- Cursor pages: reading the whole inventory ---------------------------------------------


def test_walking_the_inventory_by_cursor_sees_every_initiative_once_while_others_are_added(
    viewer, django_assert_num_queries
):
    before = {InitiativeFactory(name=f"Existing {i:02d}").slug for i in range(23)}
    client = api_client_for(viewer)
    client.get("/api/v1/initiatives/", {"cursor": ""})  # records the token's first use
    seen, added = [], set()
    url, params = "/api/v1/initiatives/", {"cursor": "", "page_size": 5}
    while url:
        # token, knox's expiry sweep, the machine-client check, the page: no count
        with django_assert_num_queries(4):
            body = client.get(url, params).json()
        assert "count" not in body
        seen += [row["slug"] for row in body["results"]]
        # Someone adds two between our pages: one sorting first by name, one last.
        added |= {InitiativeFactory(name=f"Aardvark {len(added)}").slug}
        added |= {InitiativeFactory(name=f"Zebra {len(added)}").slug}
        url, params = body["next"], None
    assert len(seen) == len(set(seen))  # nothing twice
    assert before <= set(seen)  # nothing that was there is missed
    assert set(seen) - before <= added  # the rest were added while reading


def test_cursor_pages_keep_the_filters_and_the_page_size_cap(viewer):
    for i in range(3):
        InitiativeFactory(name=f"Pilot {i}", stage=Stage.PILOT)
    InitiativeFactory(name="An idea", stage=Stage.IDEA)
    client = api_client_for(viewer)
    body = client.get("/api/v1/initiatives/", {"cursor": "", "stage": "pilot"}).json()
    assert [row["name"] for row in body["results"]] == ["Pilot 0", "Pilot 1", "Pilot 2"]
    assert body["next"] is None
    body = client.get("/api/v1/initiatives/", {"cursor": "", "page_size": 1}).json()
    assert len(body["results"]) == 1
    assert "stage=" not in body["next"]
    assert "cursor=" in body["next"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"cursor": "not-base64!"}, "cursor"),
        ({"cursor": "cD1hYmM="}, "cursor"),  # p=abc: a position that is not an id
        ({"cursor": "", "ordering": "name"}, "ordering"),
        ({"cursor": "", "page": "2"}, "page"),
        ({"cursor": "", "page_size": "0"}, "page_size"),
    ],
)
def test_a_cursor_request_it_cannot_read_is_a_400_naming_the_parameter(viewer, params, field):
    response = api_client_for(viewer).get("/api/v1/initiatives/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_numbered_pages_stay_the_default_with_a_count(viewer):
    for i in range(3):
        InitiativeFactory(name=f"Numbered {i}")
    body = api_client_for(viewer).get("/api/v1/initiatives/", {"page_size": 2}).json()
    assert body["count"] == 3
    assert body["next"].endswith("page=2&page_size=2")


def test_the_schema_documents_the_cursor_on_the_list_only(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listing = schema["paths"]["/api/v1/initiatives/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"cursor", "page", "page_size", "ordering"} <= names
    page = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][page.rsplit("/", 1)[1]]
    assert body["required"] == ["results"]  # no count on cursor pages
    transitions = schema["paths"]["/api/v1/initiatives/{slug}/transitions/"]["get"]
    assert "cursor" not in {p["name"] for p in transitions["parameters"]}


def test_the_list_rows_fast_representation_is_drf_s_own(viewer):
    from rest_framework import serializers as drf
    from rest_framework.request import Request
    from rest_framework.test import APIRequestFactory

    from initiatives.portfolio import selectors
    from initiatives.portfolio.serializers import InitiativeDetailSerializer, InitiativeSerializer

    now = timezone.now()
    InitiativeFactory(name="Bare")  # no owner, team, backup, dates
    InitiativeFactory(
        name="Full",
        production_owner=viewer,
        owner_accepted_at=now,
        owner_confirmed_at=now,
        target_production_date=now.date(),
        members=[viewer],
    )
    request = Request(APIRequestFactory().get("/api/v1/initiatives/"))
    rows = selectors.initiative_api_list().order_by("name")
    detailed = selectors.initiative_list().prefetch_related("team_members").order_by("name")
    for serializer_class, queryset in (
        (InitiativeSerializer, rows),
        (InitiativeDetailSerializer, detailed),
    ):
        serializer = serializer_class(context={"request": request})
        for row in queryset:
            assert serializer.to_representation(row) == drf.Serializer.to_representation(
                serializer, row
            )


def test_the_browsable_api_pages_the_list_both_ways(viewer, as_user):
    for i in range(3):
        InitiativeFactory(name=f"Browsed {i}")
    client = as_user(viewer)
    numbered = client.get("/api/v1/initiatives/", {"page_size": 1}, HTTP_ACCEPT="text/html")
    assert numbered.status_code == 200
    assert "page=2" in numbered.content.decode()
    cursor = client.get(
        "/api/v1/initiatives/", {"page_size": 1, "cursor": ""}, HTTP_ACCEPT="text/html"
    )
    assert cursor.status_code == 200
    assert "cursor=" in cursor.content.decode()


def test_the_browsable_api_shows_one_initiative_too(viewer, as_user, initiative):
    # The browsable API asks the list's pagination for a page of a single object as well.
    response = as_user(viewer).get(
        f"/api/v1/initiatives/{initiative.slug}/", HTTP_ACCEPT="text/html"
    )
    assert response.status_code == 200
    assert initiative.name in response.content.decode()
