"""The classification in the API: the questionnaire, answers by question key with errors by
key, confirmation and return by governance off the team."""

import pytest
from django.urls import reverse

from initiatives.models import Classification
from tests.factories import InitiativeFactory, UserFactory
from tests.support.clients import api_client_for
from tests.support.regulation import answers

pytestmark = pytest.mark.django_db

URL = "/api/v1/initiatives/credit-scoring/classification/"


@pytest.fixture
def bank(contributor):
    return InitiativeFactory(slug="credit-scoring", name="Credit scoring", members=[contributor])


def test_the_questionnaire_lists_every_question_with_its_article_and_options(viewer):
    response = api_client_for(viewer).get(reverse("api:regulation-questions"))

    assert response.status_code == 200
    questions = {q["key"]: q for q in response.json()}
    assert len(questions) == 19
    assert questions["prohibited_c"]["article"] == "Art. 5(1)(c)"
    assert {o["key"]: o["effect"] for o in questions["role"]["options"]} == {
        "provider": "role:provider",
        "deployer": "role:deployer",
        "both": "role:both",
    }
    assert questions["exceptions"]["kind"] == "several"


def test_the_team_submits_a_bank_deploying_a_vendors_credit_model(bank, contributor):
    client = api_client_for(contributor)

    response = client.post(
        URL, {"answers": answers(role="deployer", annex_iii="p5b")}, format="json"
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["current"] is None  # not confirmed yet
    version = body["versions"][0]
    assert (version["version"], version["status"], version["category"]) == (
        1,
        "submitted",
        "high_risk",
    )
    assert (version["annex_point"], version["fundamental_rights_assessment"]) == ("5(b)", True)
    assert [r["article"] for r in version["reasons"]] == [
        "Art. 3(4)",
        "Art. 6(2), Annex III 5(b)",
        "Art. 27",
    ]
    assert client.get(URL).json()["versions"][0]["answers"]["annex_iii"] == ["p5b"]


def test_unknown_questions_and_options_are_refused_by_key_and_nothing_is_saved(bank, contributor):
    given = answers(role="landlord", exceptions="preparatory", colour="blue")
    del given["profiling"]

    response = api_client_for(contributor).post(
        URL, {"answers": given, "draft": False}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["answers"]
    assert errors["colour"] == ["No such question."]
    assert errors["role"] == [
        "“landlord” is not an option here; choose from: provider, deployer, both."
    ]
    assert errors["profiling"] == ["Answer this question."]
    assert "exceptions" not in errors  # a single key for a several-choice question is fine
    assert not Classification.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [({"answers": [], "x": 1}, "x"), ({"answers": "role=provider"}, "answers"), ({}, "answers")],
)
def test_a_malformed_body_is_a_field_error(bank, contributor, body, field):
    response = api_client_for(contributor).post(URL, body, format="json")
    assert response.status_code == 400
    assert field in response.json()


def test_confirm_and_return_are_for_governance_off_the_team(bank, contributor, reviewer):
    member = UserFactory(username="member-reviewer", governance=True)
    bank.team_members.add(member)
    api_client_for(contributor).post(URL, {"answers": answers()}, format="json")
    confirm = reverse("api:classification-confirm", args=["credit-scoring", 1])
    give_back = reverse("api:classification-return", args=["credit-scoring", 1])

    refused = api_client_for(member).post(confirm, {}, format="json")
    assert refused.status_code == 403
    assert "on this initiative's team" in refused.json()["detail"]
    assert (
        api_client_for(contributor).post(URL, {"answers": answers()}, format="json").status_code
        == 409
    )
    no_comment = api_client_for(reviewer).post(give_back, {"comment": ""}, format="json")
    assert no_comment.status_code == 400
    assert "comment" in no_comment.json()

    done = api_client_for(reviewer).post(confirm, {"comment": "Agreed."}, format="json")
    assert done.status_code == 200
    assert done.json()["status"] == "confirmed"
    assert api_client_for(reviewer).post(confirm, {}, format="json").status_code == 409
    assert api_client_for(contributor).get(URL).json()["current"]["version"] == 1
