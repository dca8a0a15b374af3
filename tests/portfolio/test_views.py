"""Web pages: forms keep what was typed, errors sit on their field, queries stay constant."""

import pytest
from django.urls import reverse

from initiatives.core.choices import Stage
from initiatives.models import Initiative, StageTransition
from initiatives.ownership import services as ownership_services
from initiatives.portfolio import selectors
from initiatives.portfolio import services as portfolio_services
from tests.factories import BusinessUnitFactory, InitiativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def create_form(**overrides):
    unit = BusinessUnitFactory(name="Claims")
    return {
        "name": "Claims triage",
        "slug": "claims-triage",
        "summary": "Route claims by complexity.",
        "business_unit": unit.pk,
        "risk_tier": "high",
        "target_production_date": "2027-03-31",
        **overrides,
    }


def test_creating_an_initiative_through_the_form(viewer, as_user):
    response = as_user(viewer).post(reverse("initiative-create"), create_form())
    initiative = Initiative.objects.get()
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/claims-triage/"
    assert initiative.stage == Stage.IDEA
    assert list(initiative.team_members.all()) == [viewer]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"name": "n" * 201}, "name", "Ensure this value has at most 200 characters"),
        ({"name": ""}, "name", "This field is required."),
        ({"slug": "not a slug"}, "slug", "Enter a valid “slug”"),
        ({"risk_tier": "extreme"}, "risk_tier", "Select a valid choice."),
        ({"target_production_date": "31/31/2027"}, "target_production_date", "Enter a valid date."),
    ],
)
def test_bad_input_comes_back_with_everything_typed(viewer, as_user, overrides, field, message):
    data = create_form(**overrides)
    response = as_user(viewer).post(reverse("initiative-create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert form.data["summary"] == "Route claims by complexity."  # nothing typed is lost
    page = response.content.decode()
    assert "Route claims by complexity." in page
    assert not Initiative.objects.exists()


def test_a_duplicate_slug_is_refused_on_the_form(viewer, as_user):
    InitiativeFactory(slug="claims-triage")
    response = as_user(viewer).post(reverse("initiative-create"), create_form())
    assert response.context["form"].errors["slug"] == ["Initiative with this Slug already exists."]
    assert Initiative.objects.count() == 1


def test_a_refused_stage_change_lists_every_reason_on_the_form(contributor, owner, as_user):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    response = as_user(contributor).post(
        reverse("initiative-transition", args=[initiative.slug]),
        {"to_stage": "production", "note": "Ready, we think"},
    )
    assert response.status_code == 200
    refusal = response.context["refusal"]
    assert refusal["label"] == "Production"
    assert [d.name for d in refusal["domains"]] == [
        "Ownership",
        "Business case",
        "Readiness",
        "Promotion",
    ]
    assert refusal["count"] == 27  # 24 milestones, the case, the acceptance, the approval
    # Listed once: in the refusal, not also as the form's errors nor under "each move needs".
    assert not response.context["form"].non_field_errors()
    assert "production" not in [need["stage"] for need in response.context["needs"]]
    assert "Ready, we think" in response.content.decode()
    assert not StageTransition.objects.exists()


def test_the_stage_page_says_what_each_move_needs(contributor, as_user):
    initiative = InitiativeFactory(stage=Stage.POC, members=[contributor])
    response = as_user(contributor).get(reverse("initiative-transition", args=[initiative.slug]))
    needs = {need["label"]: need["domains"] for need in response.context["needs"]}
    assert [d.name for d in needs["Pilot"]] == ["Ownership", "Business case", "Readiness"]
    assert [c.message for c in needs["Pilot"][0].groups[0].conditions] == [
        "Name a production owner."
    ]
    assert sum(d.count for d in needs["Pilot"]) == 11  # the owner, the case, 9 milestones
    assert needs["Idea"] == []


def test_names_are_escaped_everywhere(viewer, as_user):
    initiative = InitiativeFactory(name="<script>alert(1)</script>", summary="<b>bold</b>")
    client = as_user(viewer)
    for url in (reverse("initiative-list"), initiative.get_absolute_url()):
        page = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_list_search_with_quotes_percent_and_unicode(viewer, as_user):
    InitiativeFactory(name='Škoda "quality" 100% check')
    InitiativeFactory(name="Other")
    client = as_user(viewer)
    for query in ('"quality"', "100%", "Škoda"):
        response = client.get(reverse("initiative-list"), {"q": query})
        names = [i.name for i in response.context["object_list"]]
        assert names == ['Škoda "quality" 100% check'], query


def test_list_filters_in_the_query_string_and_paginates(viewer, as_user):
    for n in range(30):
        InitiativeFactory(name=f"Pilot {n:02}", stage=Stage.PILOT)
    InitiativeFactory(name="An idea", stage=Stage.IDEA)
    client = as_user(viewer)
    response = client.get(reverse("initiative-list"), {"stage": "pilot", "ordering": "-name"})
    assert response.context["paginator"].count == 30
    assert response.context["object_list"][0].name == "Pilot 29"
    page2 = client.get(reverse("initiative-list"), {"stage": "pilot", "page": 2})
    assert len(page2.context["object_list"]) == 5
    assert "stage=pilot&amp;page=1" in page2.content.decode()


def test_list_page_queries_do_not_grow_with_initiatives(viewer, as_user):
    client = as_user(viewer)

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("initiative-list")).status_code == 200
        return len(captured)

    for _ in range(3):
        InitiativeFactory(production_owner=UserFactory())
    few = count_queries()
    for _ in range(20):
        InitiativeFactory(production_owner=UserFactory())
    assert count_queries() == few


def test_detail_page_queries_do_not_grow_with_history(initiative, contributor, owner, as_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = as_user(contributor)

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(initiative.get_absolute_url()).status_code == 200
        return len(captured)

    ownership_services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    few = count_queries()
    for n in range(10):
        portfolio_services.initiative_update(
            initiative=initiative, actor=contributor, data={"summary": f"v{n}"}
        )
        ownership_services.handover_start(
            initiative=initiative, actor=contributor, to_owner=UserFactory(username=f"o{n}")
        )
    assert count_queries() == few


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("new", "is a portal address"),
        ("import", "is a portal address"),
        ("Claims-Triage", "Use lowercase letters"),
        ("claims--triage", "Use lowercase letters"),
    ],
)
def test_slugs_that_could_not_be_reached_are_refused(viewer, as_user, slug, message):
    response = as_user(viewer).post(reverse("initiative-create"), create_form(slug=slug))
    assert message in " ".join(response.context["form"].errors["slug"])
    assert not Initiative.objects.exists()


def test_a_name_with_line_breaks_is_refused(viewer, as_user):
    response = as_user(viewer).post(
        reverse("initiative-create"), create_form(name="Line\r\nBcc: x@example.com")
    )
    assert response.context["form"].errors["name"] == [
        "Use a single line, without line breaks or tabs."
    ]


def test_an_editor_cannot_remove_themselves_by_accident(initiative, contributor, as_user):
    url = reverse("initiative-edit", args=[initiative.slug])
    data = {
        "name": initiative.name,
        "summary": "",
        "business_unit": initiative.business_unit_id,
        "risk_tier": "medium",
        "team_members": [UserFactory(username="someone").pk],
    }
    response = as_user(contributor).post(url, data)
    assert response.status_code == 200
    assert "You would remove yourself" in response.context["form"].errors["team_members"][0]
    assert list(initiative.team_members.all()) == [contributor]


def test_the_stage_form_offers_only_reachable_stages(contributor, as_user):
    initiative = InitiativeFactory(stage=Stage.PILOT, members=[contributor])
    form = as_user(contributor).get(reverse("initiative-transition", args=[initiative.slug]))
    field = form.context["form"]["to_stage"]
    assert [value for value, _ in field.field.choices] == [
        "idea",
        "poc",
        "production",
        "cancelled",
    ]
    assert field.initial == "production"
    retired = InitiativeFactory(stage=Stage.RETIRED, members=[contributor])
    page = as_user(contributor).get(retired.get_absolute_url()).content.decode()
    assert "Change stage" not in page


def test_history_names_people_and_dates(initiative, contributor, owner):
    portfolio_services.initiative_update(
        initiative=initiative, actor=contributor, data={"sponsor": owner}
    )
    change = selectors.initiative_history(initiative)[0].changes[0]
    assert (change.field, change.new) == ("sponsor", owner.get_full_name())


def test_date_inputs_show_iso_dates_so_a_browser_keeps_them(initiative, contributor, as_user):
    from datetime import date

    initiative.target_production_date = date(2027, 3, 1)
    initiative.save()
    page = as_user(contributor).get(reverse("initiative-edit", args=[initiative.slug]))
    assert 'type="date"' in page.content.decode()
    assert 'value="2027-03-01"' in page.content.decode()
