"""The new-initiative form: the slug proposed from the name and made unique, required fields
marked as required, a target date in the past refused, a name close to an existing one
warned about before it is created."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.portfolio.forms import InitiativeForm
from initiatives.portfolio.selectors import free_slug, similar_initiatives
from tests.factories import BusinessUnitFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

CREATE = reverse("initiative-create")


def form_data(**overrides):
    unit = BusinessUnitFactory(name="Claims")
    return {
        "name": "Claims triage",
        "slug": "",
        "summary": "Route claims by complexity.",
        "business_unit": unit.pk,
        "risk_tier": "high",
        "target_production_date": (timezone.localdate() + timedelta(days=90)).isoformat(),
        **overrides,
    }


def test_required_fields_are_marked_required_on_the_form():
    form = InitiativeForm()
    required = {name for name, field in form.fields.items() if field.required}
    assert required == {"name", "business_unit", "risk_tier"}
    assert " required" in str(form["name"])
    assert " required" not in str(form["summary"])


def test_a_blank_slug_is_derived_from_the_name(viewer, as_user):
    response = as_user(viewer).post(CREATE, form_data(name="Prévision des stocks!"))
    assert response.status_code == 302
    assert response["Location"] == "/initiatives/prevision-des-stocks/"


def test_a_derived_slug_is_made_unique(viewer, as_user):
    InitiativeFactory(name="Old claims triage", slug="claims-triage")
    InitiativeFactory(name="Older claims triage", slug="claims-triage-2")
    response = as_user(viewer).post(CREATE, form_data(confirm_similar="on"))
    assert response["Location"] == "/initiatives/claims-triage-3/"


def test_the_slug_the_script_proposed_is_made_unique_rather_than_refused(viewer, as_user):
    InitiativeFactory(name="Something else", slug="claims-triage")
    data = form_data(slug="claims-triage", slug_proposed="1")
    response = as_user(viewer).post(CREATE, data)
    assert response["Location"] == "/initiatives/claims-triage-2/"


def test_a_slug_the_person_typed_that_is_taken_is_refused(viewer, as_user):
    InitiativeFactory(name="Something else", slug="claims-triage")
    response = as_user(viewer).post(CREATE, form_data(slug="claims-triage"))
    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["form"].errors["slug"])


def test_a_slug_is_never_a_portal_address():
    assert free_slug("New") == "new-2"
    assert free_slug("???") == ""


def test_a_name_without_letters_asks_for_a_slug(viewer, as_user):
    response = as_user(viewer).post(CREATE, form_data(name="???"))
    assert "the name has no letters" in " ".join(response.context["form"].errors["slug"])


def test_a_target_date_in_the_past_is_refused_on_create(viewer, as_user):
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = as_user(viewer).post(CREATE, form_data(target_production_date=yesterday))
    assert response.status_code == 200
    errors = response.context["form"].errors["target_production_date"]
    assert errors == ["This date has passed; choose today or a later date."]
    assert "Route claims by complexity." in response.content.decode()  # nothing typed is lost
    assert not Initiative.objects.exists()


def test_today_is_a_valid_target_date(viewer, as_user):
    today = timezone.localdate().isoformat()
    response = as_user(viewer).post(CREATE, form_data(target_production_date=today))
    assert response.status_code == 302


def test_an_initiative_whose_target_date_has_passed_still_saves(contributor, as_user):
    passed = timezone.localdate() - timedelta(days=30)
    initiative = InitiativeFactory(
        name="Fraud scoring",
        slug="fraud-scoring",
        members=[contributor],
        target_production_date=passed,
    )
    data = form_data(name="Fraud scoring", summary="Sharper.", team_members=[contributor.pk])
    data["target_production_date"] = passed.isoformat()
    data.pop("slug")
    response = as_user(contributor).post(reverse("initiative-edit", args=[initiative.slug]), data)
    assert response.status_code == 302, response.context["form"].errors
    initiative.refresh_from_db()
    assert initiative.summary == "Sharper."
    assert initiative.target_production_date == passed


def test_moving_a_target_date_into_the_past_is_refused_on_edit(contributor, as_user):
    initiative = InitiativeFactory(
        name="Fraud scoring", slug="fraud-scoring", members=[contributor]
    )
    data = form_data(name="Fraud scoring", team_members=[contributor.pk])
    data["target_production_date"] = (timezone.localdate() - timedelta(days=3)).isoformat()
    data.pop("slug")
    response = as_user(contributor).post(reverse("initiative-edit", args=[initiative.slug]), data)
    assert "target_production_date" in response.context["form"].errors


def test_a_close_name_is_warned_about_then_created_once_confirmed(viewer, as_user):
    existing = InitiativeFactory(name="Invoice matching", slug="invoice-matching")
    client = as_user(viewer)

    warned = client.post(CREATE, form_data(name="Invoice matcher"))
    assert warned.status_code == 200
    html = warned.content.decode()
    assert "Close to an existing initiative:" in html
    assert f'<a href="{existing.get_absolute_url()}">Invoice matching</a>' in html
    assert 'type="checkbox" name="confirm_similar"' in html
    assert "Mine is a different initiative: save it anyway" in html
    assert Initiative.objects.count() == 1

    confirmed = client.post(CREATE, form_data(name="Invoice matcher", confirm_similar="on"))
    assert confirmed.status_code == 302
    assert Initiative.objects.filter(name="Invoice matcher", slug="invoice-matcher").exists()


def test_a_name_unlike_any_other_is_created_without_a_warning(viewer, as_user):
    InitiativeFactory(name="Invoice matching")
    response = as_user(viewer).post(CREATE, form_data(name="Claims triage"))
    assert response.status_code == 302


@pytest.mark.parametrize(
    "name",
    [
        "invoice matching",
        "Invoice-Matching",
        "Invoice matchng",
        "The invoice matching",
        "Invoice matcher",
    ],
)
def test_close_names_are_found(name):
    InitiativeFactory(name="Invoice matching")
    InitiativeFactory(name="Claims triage")
    assert [i.name for i in similar_initiatives(name)] == ["Invoice matching"]


@pytest.mark.parametrize("name", ["Invoice archive", "Matching engine for claims", "Fraud"])
def test_names_that_only_share_a_word_are_not_close(name):
    InitiativeFactory(name="Invoice matching")
    assert similar_initiatives(name) == []


def test_the_similarity_check_reads_only_a_few_candidates(django_assert_num_queries):
    for n in range(80):
        InitiativeFactory(name=f"Invoice batch {n}")
    InitiativeFactory(name="Invoice matching")
    with django_assert_num_queries(1):
        found = similar_initiatives("Invoice matchng")
    assert [i.name for i in found] == ["Invoice matching"]


def test_renaming_an_initiative_close_to_another_is_warned_about(contributor, as_user):
    InitiativeFactory(name="Invoice matching")
    initiative = InitiativeFactory(name="Claims triage", slug="claims", members=[contributor])
    data = form_data(name="Invoice matcher", team_members=[contributor.pk])
    data.pop("slug")
    response = as_user(contributor).post(reverse("initiative-edit", args=[initiative.slug]), data)
    assert response.status_code == 200
    assert "Close to an existing initiative" in response.content.decode()
    # Its own name is never "close to an existing initiative".
    data["name"] = "Claims triage"
    response = as_user(contributor).post(reverse("initiative-edit", args=[initiative.slug]), data)
    assert response.status_code == 302
