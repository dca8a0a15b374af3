"""Business cases: derived figures, the form, versions, review, the API (README "Business
cases")."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape
from rest_framework.test import APIClient

from initiatives.business_cases import services as business_cases_services
from initiatives.business_cases.figures import derive
from initiatives.core.choices import BusinessCaseStatus, EmailKind, Stage
from initiatives.core.people import display_name
from initiatives.models import BusinessCase, EmailRecord
from initiatives.outbox import sending, tasks
from initiatives.portfolio import services as portfolio_services
from tests.factories import (
    BusinessCaseFactory,
    InitiativeFactory,
    UserFactory,
    complete_readiness,
)
from tests.support.forms import business_case_form

pytestmark = pytest.mark.django_db
D = Decimal

ZERO = {
    "revenue_protected": D(0),
    "costs_reduced": D(0),
    "capacity_hours": D(0),
    "hourly_rate": D(0),
    "risk_mitigated": D(0),
    "build_cost": D(0),
    "infrastructure_cost": D(0),
    "team_fte": D(0),
    "cost_per_fte": D(0),
    "operational_overhead": D(0),
}


# --- The derived figures, against hand-computed cases ----------------------------------------


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        pytest.param(
            # benefit 100,000 + 50,000 + 1,000 h × 50 + 20,000 = 220,000
            # run 12,000 + 1.5 × 80,000 + 8,000 = 140,000; net 80,000
            # payback 12 × 200,000 / 80,000 = 30.0; ROI (660,000 − 200,000 − 420,000) / 620,000
            {
                "revenue_protected": D("100000"),
                "costs_reduced": D("50000"),
                "capacity_hours": D("1000"),
                "hourly_rate": D("50"),
                "risk_mitigated": D("20000"),
                "build_cost": D("200000"),
                "infrastructure_cost": D("12000"),
                "team_fte": D("1.5"),
                "cost_per_fte": D("80000"),
                "operational_overhead": D("8000"),
            },
            ("220000.00", "140000.00", "80000.00", D("30.0"), D("0.0645")),
            id="typical",
        ),
        pytest.param(
            {"build_cost": D("5000"), "infrastructure_cost": D("10000")},
            ("0.00", "10000.00", "-10000.00", None, D("-1.0000")),
            id="zero benefit: no payback, all money lost",
        ),
        pytest.param(
            {"revenue_protected": D("1000")},
            ("1000.00", "0.00", "1000.00", D("0.0"), None),
            id="zero cost: immediate payback, no ROI",
        ),
        pytest.param(
            {"costs_reduced": D("10000"), "operational_overhead": D("10000")},
            ("10000.00", "10000.00", "0.00", None, D("0.0000")),
            id="net zero: no payback",
        ),
        pytest.param(
            # 333.33 h × 33.33 = 11,109.8889; payback 12,000 / 11,109.8889 = 1.0801…
            # ROI (33,329.6667 − 1,000) / 1,000 = 32.3296667
            {"capacity_hours": D("333.33"), "hourly_rate": D("33.33"), "build_cost": D("1000")},
            ("11109.89", "0.00", "11109.89", D("1.1"), D("32.3297")),
            id="rounding half up",
        ),
        pytest.param({}, ("0.00", "0.00", "0.00", None, None), id="all zero"),
    ],
)
def test_derived_figures_match_hand_computed_cases(inputs, expected):
    figures = derive(SimpleNamespace(**{**ZERO, **inputs}))
    benefit, run, net, payback, roi = expected
    assert str(figures.total_annual_benefit) == benefit
    assert str(figures.annual_run_cost) == run
    assert str(figures.net_annual_benefit) == net
    assert figures.payback_months == payback
    assert figures.roi_3y == roi
    assert all(isinstance(v, Decimal) for v in figures.as_dict().values() if v is not None)


def test_floats_are_refused():
    with pytest.raises(TypeError, match="never float"):
        derive(SimpleNamespace(**{**ZERO, "revenue_protected": 0.1}))


# --- The form ---------------------------------------------------------------------------------


@pytest.fixture
def pilotable(contributor):
    return InitiativeFactory(slug="claims", name="Claims triage", members=[contributor])


def new_url(initiative):
    return reverse("business-case-create", args=[initiative.slug])


def test_a_valid_submission_creates_version_1_submitted(pilotable, contributor, as_user):
    response = as_user(contributor).post(new_url(pilotable), business_case_form())
    case = BusinessCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == case.get_absolute_url()
    assert (case.version, case.status, case.submitted_by) == (
        1,
        BusinessCaseStatus.SUBMITTED,
        contributor,
    )
    assert case.team_fte == D("1.5")
    page = as_user(contributor).get(case.get_absolute_url()).content.decode()
    assert "EUR 80,000" in page  # net annual benefit
    assert "30.0 months" in page
    assert "6.5 %" in page  # three-year ROI


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"revenue_protected": "-5"}, "revenue_protected", "cannot be negative"),
        ({"build_cost": "100.555"}, "build_cost", "At most two decimals"),
        (
            {"costs_reduced": "1000000000000"},
            "costs_reduced",
            "no more than 12 digits before the decimal point",
        ),
        ({"hourly_rate": "200000000000"}, "hourly_rate", "less than or equal to 100000000000"),
        ({"team_fte": "lots"}, "team_fte", "Type a number such as 120000"),
        ({"currency": "XYZ"}, "currency", "XYZ is not one of the organisation's currencies"),
        ({"currency": ""}, "currency", "This field is required."),
        ({"build_cost": ""}, "build_cost", "This field is required."),
        (
            {"target_pilot_date": "2027-06-30", "target_production_date": "2027-01-15"},
            "target_production_date",
            "The production date cannot be before the pilot date.",
        ),
        ({"target_pilot_date": "30/02/2027"}, "target_pilot_date", "Enter a valid date."),
    ],
)
def test_bad_input_is_a_field_error_and_keeps_what_was_typed(
    pilotable, contributor, as_user, overrides, field, message
):
    response = as_user(contributor).post(new_url(pilotable), business_case_form(**overrides))
    assert response.status_code == 200
    form = response.context["form"]
    assert message in " ".join(form.errors[field]), form.errors
    page = response.content.decode()
    assert "Churn of 2% avoided on 5M revenue." in page  # nothing typed is lost
    for value in overrides.values():
        assert f'value="{value}"' in page or value in page or value == ""
    assert not BusinessCase.objects.exists()


def test_posting_the_same_form_twice_creates_one_version(pilotable, contributor, as_user):
    client = as_user(contributor)
    first = client.post(new_url(pilotable), business_case_form())
    second = client.post(new_url(pilotable), business_case_form())
    assert BusinessCase.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_saving_a_draft_then_submitting_it(pilotable, contributor, as_user):
    client = as_user(contributor)
    client.post(new_url(pilotable), business_case_form(action="save"))
    draft = BusinessCase.objects.get()
    assert draft.status == BusinessCaseStatus.DRAFT
    edit = reverse("business-case-edit", args=[pilotable.slug, 1])
    assert client.get(new_url(pilotable))["Location"] == edit  # continue the draft
    response = client.post(edit, business_case_form(revision=draft.revision, costs_reduced="60000"))
    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.status, draft.costs_reduced) == (BusinessCaseStatus.SUBMITTED, D("60000"))
    again = client.get(edit)
    assert again.status_code == 302  # a submitted version is never edited


def test_two_people_editing_one_draft_the_second_save_is_refused(pilotable, contributor, as_user):
    colleague = UserFactory(username="colleague")
    pilotable.team_members.add(colleague)
    as_user(contributor).post(new_url(pilotable), business_case_form(action="save"))
    draft = BusinessCase.objects.get()
    edit = reverse("business-case-edit", args=[pilotable.slug, 1])
    opened_at = draft.revision  # both open the draft now
    as_user(colleague).post(
        edit, business_case_form(action="save", revision=opened_at, costs_reduced="1")
    )
    response = as_user(contributor).post(
        edit, business_case_form(action="save", revision=opened_at, costs_reduced="2")
    )
    assert response.status_code == 200
    error = " ".join(response.context["form"].non_field_errors())
    assert "saved this draft" in error
    assert "Your changes were not saved" in error
    assert 'value="2"' in response.content.decode()  # their typing is still there
    draft.refresh_from_db()
    assert draft.costs_reduced == D("1")  # the first save stands


def test_a_new_version_starts_from_the_latest(pilotable, contributor, as_user):
    client = as_user(contributor)
    client.post(new_url(pilotable), business_case_form())
    page = client.get(new_url(pilotable))
    form = page.context["form"]
    assert form.initial["revenue_protected"] == D("100000")
    assert form.initial["form_key"] != "key-1"
    client.post(new_url(pilotable), business_case_form(form_key="key-2", revenue_protected="90000"))
    assert list(BusinessCase.objects.values_list("version", "revenue_protected")) == [
        (2, D("90000")),
        (1, D("100000")),
    ]


def test_a_viewer_cannot_write_a_case(pilotable, viewer, as_user):
    assert as_user(viewer).get(new_url(pilotable)).status_code == 403
    assert as_user(viewer).post(new_url(pilotable), business_case_form()).status_code == 403
    assert not BusinessCase.objects.exists()


# --- Review ----------------------------------------------------------------------------------


def submitted(initiative, by):
    return business_cases_services.business_case_create(
        initiative=initiative,
        actor=by,
        data={"currency": "EUR", "revenue_protected": D("1000")},
        submit=True,
    )


def test_only_governance_reviews(pilotable, contributor, viewer, reviewer, as_user):
    case = submitted(pilotable, contributor)
    for person in (contributor, viewer):
        response = as_user(person).post(case.get_absolute_url(), {"decision": "approve"})
        assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.SUBMITTED
    response = as_user(reviewer).post(
        case.get_absolute_url(), {"decision": "approve", "comment": "Sound."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.reviewed_by) == (BusinessCaseStatus.APPROVED, reviewer)


def test_a_submitter_cannot_approve_their_own_case(pilotable, as_user):
    both = UserFactory(username="both", governance=True)
    pilotable.team_members.add(both)
    case = submitted(pilotable, both)
    response = as_user(both).post(case.get_absolute_url(), {"decision": "approve"})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == BusinessCaseStatus.SUBMITTED


def test_a_reviewer_who_wrote_a_case_cannot_approve_it_once_a_teammate_submits_it(
    pilotable, contributor, reviewer, as_user
):
    """Issue 13: the author is not the submitter, and still may not review."""
    author = UserFactory(username="gina", governance=True)
    pilotable.team_members.add(author)
    as_user(author).post(new_url(pilotable), business_case_form(action="save"))
    draft = BusinessCase.objects.get()
    business_cases_services.business_case_submit(case=draft, actor=contributor)

    page = as_user(author).get(draft.get_absolute_url())
    assert page.status_code == 200  # the evidence, read-only, and who decides
    assert page.context["can_review"] is False
    assert "Another reviewer decides." in page.content.decode()
    assert "Record review" not in page.content.decode()
    # Named, so the author knows whom to ask: the other reviewer, never the author.
    assert [p.username for p in page.context["deciders"]] == ["reviewer"]
    assert f"Who can decide: {escape(display_name(reviewer))}." in page.content.decode()
    refused = as_user(author).post(draft.get_absolute_url(), {"decision": "approve"})
    assert refused.status_code == 403
    api = APIClient()
    api.force_authenticate(author)
    review = f"/api/v1/initiatives/{pilotable.slug}/business-cases/1/review/"
    answer = api.post(review, {"decision": "approve"}, format="json")
    assert answer.status_code == 403
    assert answer.json() == {
        "detail": "You created, edited or submitted this version; another governance reviewer "
        "who did not create, edit or submit this version decides."
    }
    draft.refresh_from_db()
    assert draft.status == BusinessCaseStatus.SUBMITTED
    # Another reviewer decides.
    assert as_user(reviewer).get(draft.get_absolute_url()).context["can_review"] is True


def test_a_reviewer_who_edited_a_teammates_draft_cannot_review_it(
    pilotable, contributor, reviewer, as_user
):
    """Saving someone else's draft counts as editing it (the version's history says who)."""
    editor = UserFactory(username="gina", governance=True)
    pilotable.team_members.add(editor)
    as_user(contributor).post(new_url(pilotable), business_case_form(action="save"))
    draft = BusinessCase.objects.get()
    edit = reverse("business-case-edit", args=[pilotable.slug, 1])
    as_user(editor).post(
        edit, business_case_form(action="save", revision=draft.revision, costs_reduced="1")
    )
    business_cases_services.business_case_submit(case=draft, actor=contributor)

    assert as_user(editor).post(draft.get_absolute_url(), {"decision": "approve"}).status_code == (
        403
    )
    draft.refresh_from_db()
    assert draft.status == BusinessCaseStatus.SUBMITTED
    # Merely being on the team is not authorship: a teammate who did not touch it may review.
    bystander = UserFactory(username="hal", governance=True)
    pilotable.team_members.add(bystander)
    response = as_user(bystander).post(
        draft.get_absolute_url(), {"decision": "approve", "comment": "Sound."}
    )
    assert response.status_code == 302


def test_the_queue_marks_a_case_the_reviewer_wrote_and_my_work_leaves_it_out(
    pilotable, contributor, reviewer, as_user
):
    author = UserFactory(username="gina", governance=True)
    pilotable.team_members.add(author)
    as_user(author).post(new_url(pilotable), business_case_form(action="save"))
    business_cases_services.business_case_submit(case=BusinessCase.objects.get(), actor=contributor)

    mine = as_user(author).get(reverse("governance-queue"))
    [item] = mine.context["queue"].cases.items
    assert item.decided_elsewhere
    assert "yours: another reviewer decides" in mine.content.decode()
    assert as_user(author).get(reverse("my-work")).context["work"].cases_to_review == []
    theirs = as_user(reviewer).get(reverse("governance-queue"))
    assert [c.decided_elsewhere for c in theirs.context["queue"].cases.items] == [False]
    assert len(as_user(reviewer).get(reverse("my-work")).context["work"].cases_to_review) == 1


def test_asking_for_changes_needs_a_comment(pilotable, contributor, reviewer, as_user):
    case = submitted(pilotable, contributor)
    response = as_user(reviewer).post(case.get_absolute_url(), {"decision": "request_changes"})
    assert response.status_code == 200
    assert response.context["review_form"].errors["comment"] == [
        "Say what is wrong, so the team can act on it."
    ]


def test_the_submitter_is_emailed_the_review(
    pilotable, contributor, reviewer, django_capture_on_commit_callbacks, monkeypatch
):

    monkeypatch.setattr(tasks.send_email, "apply_async", lambda args, **kw: sending.send(*args))
    case = submitted(pilotable, contributor)
    with django_capture_on_commit_callbacks(execute=True):
        business_cases_services.business_case_review(
            case=case, actor=reviewer, decision="reject", comment="The benefit is not shown."
        )
    (message,) = mail.outbox
    assert message.to == [contributor.email]
    assert message.subject == "[Crossing] Your business case for Claims triage was reviewed"
    assert "rejected" in message.body
    assert "The benefit is not shown." in message.body
    assert EmailRecord.objects.get().kind == EmailKind.CASE_REVIEWED


def test_approving_a_newer_version_makes_it_current(pilotable, contributor, reviewer, client):
    first = submitted(pilotable, contributor)
    business_cases_services.business_case_review(case=first, actor=reviewer, decision="approve")
    second = business_cases_services.business_case_create(
        initiative=pilotable, actor=contributor, data={"revenue_protected": D("5000")}, submit=True
    )
    business_cases_services.business_case_review(case=second, actor=reviewer, decision="approve")
    client.force_login(contributor)
    page = client.get(reverse("business-case-list", args=[pilotable.slug]))
    assert page.context["current"] == second


def test_compare_shows_what_changed_and_by_how_much(pilotable, contributor, client):
    first = submitted(pilotable, contributor)
    business_cases_services.business_case_create(
        initiative=pilotable, actor=contributor, data={"revenue_protected": D("1500")}, submit=True
    )
    client.force_login(contributor)
    response = client.get(
        reverse("business-case-compare", args=[pilotable.slug]), {"a": 2, "b": first.version}
    )
    rows = {row.field: row for row in response.context["rows"]}
    assert rows["revenue_protected"].delta == D("500")
    assert rows["total_annual_benefit"].delta == D("500.00")
    assert not rows["build_cost"].changed
    assert client.get(reverse("business-case-compare", args=[pilotable.slug])).status_code == 404


def test_pilot_gate_is_met_by_a_submitted_case(pilotable, contributor, owner):
    pilotable.stage = Stage.POC
    pilotable.production_owner = owner
    pilotable.save()
    complete_readiness(pilotable, required_for=Stage.PILOT)  # the pilot gate's other half
    submitted(pilotable, contributor)
    portfolio_services.initiative_transition(
        initiative=pilotable, actor=contributor, to_stage=Stage.PILOT
    )


# --- API ---------------------------------------------------------------------------------------


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def cases_url(initiative, *rest):
    return (
        "/".join([f"/api/v1/initiatives/{initiative.slug}/business-cases", *map(str, rest)]) + "/"
    )


def test_api_draft_update_submit_and_figures(pilotable, contributor):
    client = api(contributor)
    response = client.post(
        cases_url(pilotable),
        {"currency": "GBP", "revenue_protected": "1000.50", "build_cost": "600"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["version"], body["status"], body["currency"]) == (1, "draft", "GBP")
    assert body["net_annual_benefit"] == "1000.50"
    assert body["payback_months"] == "7.2"
    assert body["roi_3y"] == "4.0025"

    stale = body["revision"]
    assert (
        client.patch(
            cases_url(pilotable, 1), {"costs_reduced": "10", "revision": stale}, format="json"
        ).status_code
        == 200
    )
    conflict = client.patch(
        cases_url(pilotable, 1), {"costs_reduced": "20", "revision": stale}, format="json"
    )
    assert conflict.status_code == 409
    assert "saved this draft" in conflict.json()["detail"]

    response = client.post(cases_url(pilotable, 1, "submit"))
    assert response.json()["status"] == "submitted"
    again = client.patch(
        cases_url(pilotable, 1), {"costs_reduced": "30", "revision": stale + 1}, format="json"
    )
    assert again.status_code == 400
    assert "can no longer be edited" in again.json()["non_field_errors"][0]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"currency": "EURO"}, "currency"),
        ({"revenue_protected": "-1"}, "revenue_protected"),
        ({"revenue_protected": "1.001"}, "revenue_protected"),
        ({"total_annual_benefit": "1"}, "total_annual_benefit"),
        ({"status": "approved"}, "status"),
        (
            {"target_pilot_date": "2027-05-01", "target_production_date": "2027-04-01"},
            "target_production_date",
        ),
    ],
)
def test_api_bad_input_names_the_field(pilotable, contributor, payload, field):
    response = api(contributor).post(
        cases_url(pilotable), {"currency": "EUR", **payload}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json(), response.json()
    assert not BusinessCase.objects.exists()


def test_api_review_by_governance_only(pilotable, contributor, reviewer):
    case = submitted(pilotable, contributor)
    url = cases_url(pilotable, case.version, "review")
    assert api(contributor).post(url, {"decision": "approve"}, format="json").status_code == 403
    response = api(reviewer).post(url, {"decision": "approve"}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"
    listing = api(contributor).get(cases_url(pilotable)).json()
    assert [c["version"] for c in listing["results"]] == [1]


def test_api_unknown_initiative_is_404(contributor):
    response = api(contributor).get("/api/v1/initiatives/nope/business-cases/")
    assert response.status_code == 404


def test_factory_cases_count_for_the_gates():
    case = BusinessCaseFactory(status=BusinessCaseStatus.APPROVED)
    assert case.figures.total_annual_benefit == D("150000.00")


def test_comparing_versions_in_two_currencies_does_not_subtract_amounts(
    pilotable, contributor, client
):
    submitted(pilotable, contributor)
    business_cases_services.business_case_create(
        initiative=pilotable,
        actor=contributor,
        data={"currency": "GBP", "revenue_protected": D("2000")},
        submit=True,
    )
    client.force_login(contributor)
    response = client.get(reverse("business-case-compare", args=[pilotable.slug]), {"a": 1, "b": 2})
    rows = {row.field: row for row in response.context["rows"]}
    assert rows["revenue_protected"].changed
    assert rows["revenue_protected"].delta is None
    assert "not subtracted" in response.content.decode()


def test_a_second_review_of_the_same_case_says_it_was_reviewed(
    pilotable, contributor, reviewer, as_user
):
    case = submitted(pilotable, contributor)
    client = as_user(reviewer)
    client.post(case.get_absolute_url(), {"decision": "approve"})
    again = client.post(case.get_absolute_url(), {"decision": "approve"}, follow=True)
    assert again.status_code == 200
    assert "already reviewed" in again.content.decode()


@pytest.mark.parametrize("code", ["XXX", "XTS", "XAU"])
def test_codes_that_are_not_money_are_refused(pilotable, contributor, as_user, code):
    response = as_user(contributor).post(new_url(pilotable), business_case_form(currency=code))
    assert "currency" in response.context["form"].errors
    assert not BusinessCase.objects.exists()


def test_api_create_defaults_the_currency(pilotable, contributor, settings):
    response = api(contributor).post(cases_url(pilotable), {"build_cost": "5"}, format="json")
    assert response.status_code == 201
    assert response.json()["currency"] == settings.PORTAL_DEFAULT_CURRENCY


@pytest.mark.django_db
def test_an_api_review_that_cannot_happen_says_why(reviewer, contributor):
    """Found by review: every refused review answered 403 "You may not do this."."""
    from rest_framework.test import APIClient

    from initiatives.core.choices import BusinessCaseStatus
    from tests.factories import BusinessCaseFactory, InitiativeFactory

    initiative = InitiativeFactory(members=[contributor])
    draft = BusinessCaseFactory(
        initiative=initiative, version=1, status=BusinessCaseStatus.DRAFT, created_by=contributor
    )
    own = BusinessCaseFactory(
        initiative=initiative, version=2, created_by=reviewer, submitted_by=reviewer
    )
    api = APIClient()
    api.force_authenticate(reviewer)
    base = f"/api/v1/initiatives/{initiative.slug}/business-cases"
    body = {"decision": "approve"}

    not_submitted = api.post(f"{base}/{draft.version}/review/", body, format="json")
    assert (not_submitted.status_code, not_submitted.json()["detail"]) == (
        409,
        "Only a version submitted for review can be reviewed; this one is draft.",
    )
    mine = api.post(f"{base}/{own.version}/review/", body, format="json")
    assert (mine.status_code, mine.json()["detail"]) == (
        403,
        "You created, edited or submitted this version; another governance reviewer who did "
        "not create, edit or submit this version decides.",
    )
    api.force_authenticate(contributor)
    team = api.post(f"{base}/{own.version}/review/", body, format="json")
    assert (team.status_code, team.json()["detail"]) == (
        403,
        "Only a governance reviewer may review a business case.",
    )


# --- Posting the same form_key again ------------------------------------------------------------


def test_api_replaying_a_create_with_its_form_key_answers_the_stored_version(
    pilotable, contributor
):
    client = api(contributor)
    payload = {"currency": "EUR", "revenue_protected": "1000", "form_key": "retry-7"}
    first = client.post(cases_url(pilotable), payload, format="json")
    assert first.status_code == 201, first.json()
    # The same figures, written differently: the same payload once parsed.
    replay = client.post(
        cases_url(pilotable), {**payload, "revenue_protected": "1000.00"}, format="json"
    )
    assert replay.status_code == 201, replay.json()
    assert replay.json() == first.json()
    assert BusinessCase.objects.count() == 1


def test_api_the_same_form_key_with_different_figures_is_a_conflict(pilotable, contributor):
    client = api(contributor)
    payload = {"currency": "EUR", "revenue_protected": "1000", "form_key": "retry-7"}
    assert client.post(cases_url(pilotable), payload, format="json").status_code == 201
    response = client.post(
        cases_url(pilotable), {**payload, "revenue_protected": "2500"}, format="json"
    )
    assert response.status_code == 409
    assert response.json() == {
        "detail": "Version 1 was already created with this form_key and different figures "
        "(revenue_protected); nothing was saved. Send a new form_key to start another "
        "version, or change version 1 instead."
    }
    case = BusinessCase.objects.get()
    assert case.revenue_protected == D("1000")


def test_api_a_replay_is_recognised_after_the_draft_was_edited(pilotable, contributor):
    client = api(contributor)
    payload = {"currency": "EUR", "revenue_protected": "1000", "form_key": "retry-7"}
    created = client.post(cases_url(pilotable), payload, format="json").json()
    client.patch(
        cases_url(pilotable, 1),
        {"revenue_protected": "1200", "revision": created["revision"]},
        format="json",
    )
    replay = client.post(cases_url(pilotable), payload, format="json")
    assert replay.status_code == 201, replay.json()
    assert replay.json()["revenue_protected"] == "1200.00"  # the version as it is now
    assert BusinessCase.objects.count() == 1


def test_the_form_posted_again_with_other_figures_says_nothing_was_saved(
    pilotable, contributor, as_user
):
    client = as_user(contributor)
    client.post(new_url(pilotable), business_case_form(action="save"))
    # Back in the browser, the same form (its form_key) changed and posted again.
    response = client.post(
        new_url(pilotable), business_case_form(action="save", build_cost="150000")
    )
    assert response.status_code == 200
    error = " ".join(response.context["form"].non_field_errors())
    assert "This form already made version 1, with other figures" in error
    assert "Your changes were not saved" in error
    assert BusinessCase.objects.get().build_cost == D("200000")


def test_the_saved_form_posted_again_to_submit_does_not_claim_it_was_submitted(
    pilotable, contributor, as_user
):
    client = as_user(contributor)
    client.post(new_url(pilotable), business_case_form(action="save"))
    response = client.post(new_url(pilotable), business_case_form(action="submit"))
    assert response.status_code == 200
    error = " ".join(response.context["form"].non_field_errors())
    assert "This form already saved draft version 1" in error
    assert BusinessCase.objects.get().status == BusinessCaseStatus.DRAFT
