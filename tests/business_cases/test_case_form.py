"""The business case form as people fill it: figures typed as they write them, the
organisation's currencies only, and every form's error summary (README "Business cases")."""

import re
from decimal import Decimal

import pytest
from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.template.loader import render_to_string
from django.urls import reverse
from rest_framework.test import APIClient

from initiatives.business_cases.forms import FigureField
from initiatives.models import BusinessCase
from portal.settings.portal import portal_currencies_from
from tests.factories import BusinessCaseFactory, BusinessUnitFactory, InitiativeFactory
from tests.support.forms import business_case_form

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def pilotable(contributor):
    return InitiativeFactory(slug="claims", name="Claims triage", members=[contributor])


def new_url(initiative):
    return reverse("business-case-create", args=[initiative.slug])


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def cases_url(initiative, *rest):
    return (
        "/".join([f"/api/v1/initiatives/{initiative.slug}/business-cases", *map(str, rest)]) + "/"
    )


def input_tag(page: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)


# --- Reading a figure -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "figure"),
    [
        ("120000", D("120000")),
        ("120,000", D("120000")),
        ("120 000", D("120000")),
        ("120\u00a0000", D("120000")),  # no-break space, as spreadsheets copy it
        ("120\u2009000", D("120000")),  # thin space
        ("120\u202f000", D("120000")),  # narrow no-break space (French number format)
        ("1,234,567.50", D("1234567.50")),
        (" 42 ", D("42")),
        ("0.5", D("0.5")),
        (".5", D("0.5")),
        ("0", D("0")),
    ],
)
def test_a_figure_is_read_as_people_write_it(typed, figure):
    assert FigureField(max_digits=14, decimal_places=2).clean(typed) == figure


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("1e6", "Type the figure in full (e.g. 1000000), not as 1e6."),
        ("1.5E3", "Type the figure in full (e.g. 1000000), not as 1e6."),
        ("12,00,0", "Group digits in threes"),
        ("1,20,000", "Group digits in threes"),
        ("120,000 000", "Group digits in threes"),  # two kinds of separator
        ("-5", "Type 0 or more: a figure here cannot be negative."),
        ("abc", "Type a number such as 120000, 120,000 or 120 000."),
        ("+5", "Type a number such as 120000, 120,000 or 120 000."),
        ("120.000", "At most two decimals (cents)."),  # 120 with three decimals, or 120 000?
    ],
)
def test_a_figure_that_could_be_misread_is_refused_with_what_to_type(typed, message):
    with pytest.raises(forms.ValidationError) as refused:
        FigureField(max_digits=14, decimal_places=2).clean(typed)
    assert message in " ".join(refused.value.messages)


def test_a_stored_figure_is_shown_grouped_and_read_back_the_same():
    field = FigureField(max_digits=14, decimal_places=2)
    for stored, shown in [(D("120000.00"), "120,000"), (D("1234.50"), "1,234.50")]:
        assert field.prepare_value(stored) == shown
        assert field.clean(shown) == stored


# --- The form page ----------------------------------------------------------------------------


def test_a_first_case_starts_empty_with_the_currency_beside_each_amount(
    pilotable, contributor, as_user
):
    page = as_user(contributor).get(new_url(pilotable)).content.decode()
    for name in ("revenue_protected", "build_cost", "team_fte"):
        assert "value=" not in input_tag(page, name), name  # empty, not "0"
    assert '<span class="unit" id="id_build_cost_unit" data-currency-unit>EUR</span>' in page
    assert '<span class="unit" id="id_capacity_hours_unit">hours</span>' in page
    assert 'aria-describedby="id_build_cost_unit id_build_cost_helptext"' in page
    # The investment is required, in words; a benefit is not.
    assert re.search(r'for="id_build_cost">[^<]*<span class="required">\(required\)', page)
    assert not re.search(r'for="id_costs_reduced">[^<]*<span class="required">', page)
    assert '<script src="/static/js/case-figures.js" defer></script>' in page


def test_figures_written_with_separators_are_saved_as_numbers(pilotable, contributor, as_user):
    form = business_case_form(
        revenue_protected="120,000", costs_reduced="50\u00a0000", build_cost="200 000"
    )
    response = as_user(contributor).post(new_url(pilotable), form)
    assert response.status_code == 302
    case = BusinessCase.objects.get()
    assert (case.revenue_protected, case.costs_reduced, case.build_cost) == (
        D("120000"),
        D("50000"),
        D("200000"),
    )


def test_a_benefit_left_empty_is_none_and_stays_empty(pilotable, contributor, as_user):
    client = as_user(contributor)
    client.post(new_url(pilotable), business_case_form(risk_mitigated="", action="save"))
    case = BusinessCase.objects.get()
    assert case.risk_mitigated == 0
    page = client.get(reverse("business-case-edit", args=["claims", 1])).content.decode()
    assert "value=" not in input_tag(page, "risk_mitigated")
    assert 'value="200,000"' in input_tag(page, "build_cost")
    # The draft's figures, as the server works them out, below the form.
    assert 'data-figure-out="total_annual_benefit">EUR 200,000<' in page
    assert "As saved in draft version 1." in page


def test_hours_without_an_hourly_rate_are_refused(pilotable, contributor, as_user):
    response = as_user(contributor).post(new_url(pilotable), business_case_form(hourly_rate=""))
    assert response.context["form"].errors["hourly_rate"] == [
        "Give the hourly rate, to value the hours freed."
    ]


def test_bad_figures_come_back_as_typed_under_an_error_summary(pilotable, contributor, as_user):
    form = business_case_form(build_cost="1e6", cost_per_fte="", costs_reduced="50 000")
    response = as_user(contributor).post(new_url(pilotable), form)
    page = response.content.decode()
    assert response.status_code == 200
    assert not BusinessCase.objects.exists()
    assert "There are 2 problems" in page
    assert '<a href="#id_build_cost">Build cost: Type the figure in full' in page
    assert '<a href="#id_cost_per_fte">Cost per FTE: This field is required.</a>' in page
    build = input_tag(page, "build_cost")
    assert 'value="1e6"' in build  # what was typed, to correct
    assert 'aria-invalid="true"' in build
    assert "id_build_cost_error" in build  # aria-describedby names the message
    assert 'id="id_build_cost_error"' in page
    assert 'value="50 000"' in input_tag(page, "costs_reduced")
    assert "Churn of 2% avoided on 5M revenue." in page


# --- The organisation's currencies ----------------------------------------------------------


def test_portal_currencies_default_to_the_default_currency_and_the_usual_three():
    assert portal_currencies_from("", "EUR") == ["EUR", "USD", "GBP"]
    assert portal_currencies_from("", "CHF") == ["CHF", "USD", "EUR", "GBP"]
    assert portal_currencies_from(" chf, EUR,chf ,", "EUR") == ["CHF", "EUR"]


@pytest.mark.parametrize("raw", ["USD, GBP", "EUR, EURO", "EUR, 12"])
def test_portal_currencies_must_be_codes_including_the_default(raw):
    with pytest.raises(ImproperlyConfigured):
        portal_currencies_from(raw, "EUR")


def test_the_settings_default_is_that_list(settings):
    assert settings.PORTAL_CURRENCIES == ["EUR", "USD", "GBP"]


def test_the_form_offers_only_the_organisations_currencies(pilotable, contributor, as_user):
    client = as_user(contributor)
    form = client.get(new_url(pilotable)).context["form"]
    assert [code for code, _ in form.fields["currency"].widget.choices] == ["EUR", "USD", "GBP"]
    response = client.post(new_url(pilotable), business_case_form(currency="JPY"))
    assert response.context["form"].errors["currency"]
    assert not BusinessCase.objects.exists()


def test_the_list_comes_from_the_setting(pilotable, contributor, as_user, settings):
    settings.PORTAL_CURRENCIES = ["CHF", "EUR"]
    client = as_user(contributor)
    form = client.get(new_url(pilotable)).context["form"]
    assert [code for code, _ in form.fields["currency"].widget.choices] == ["CHF", "EUR"]
    assert client.post(new_url(pilotable), business_case_form(currency="USD")).status_code == 200
    assert client.post(new_url(pilotable), business_case_form(currency="CHF")).status_code == 302


def test_a_case_in_another_currency_stays_editable_in_it(pilotable, contributor, as_user):
    BusinessCaseFactory(initiative=pilotable, version=1, currency="JPY", status="approved")
    client = as_user(contributor)
    form = client.get(new_url(pilotable)).context["form"]
    assert [code for code, _ in form.fields["currency"].widget.choices] == [
        "EUR",
        "USD",
        "GBP",
        "JPY",
    ]
    assert form["currency"].value() == "JPY"
    response = client.post(new_url(pilotable), business_case_form(currency="JPY", action="save"))
    assert response.status_code == 302
    draft = BusinessCase.objects.get(version=2)
    assert draft.currency == "JPY"
    page = client.get(reverse("business-case-edit", args=["claims", 2])).content.decode()
    assert '<option value="JPY" selected>' in page
    assert "data-currency-unit>JPY<" in page
    # Another currency outside the list is still refused there.
    other = business_case_form(currency="CHF", revision=draft.revision)
    edited = client.post(reverse("business-case-edit", args=["claims", 2]), other)
    assert edited.context["form"].errors["currency"] == [
        "CHF is not one of the organisation's currencies: EUR, USD, GBP, JPY."
    ]


def test_the_api_refuses_a_currency_outside_the_list_on_its_field(pilotable, contributor):
    client = api(contributor)
    response = client.post(cases_url(pilotable), {"currency": "JPY"}, format="json")
    assert response.status_code == 400
    assert response.json()["currency"] == [
        "JPY is not one of the organisation's currencies: EUR, USD, GBP."
    ]
    assert not BusinessCase.objects.exists()
    created = client.post(cases_url(pilotable), {"currency": "GBP"}, format="json")
    assert (created.status_code, created.json()["currency"]) == (201, "GBP")


def test_the_api_keeps_a_case_in_its_own_currency(pilotable, contributor):
    BusinessCaseFactory(initiative=pilotable, version=1, currency="JPY", status="approved")
    client = api(contributor)
    created = client.post(cases_url(pilotable), {"currency": "JPY"}, format="json")
    assert (created.status_code, created.json()["currency"]) == (201, "JPY")
    revision = created.json()["revision"]
    edit = {"currency": "JPY", "build_cost": 5, "revision": revision}
    assert client.patch(cases_url(pilotable, 2), edit, format="json").status_code == 200
    refused = client.patch(
        cases_url(pilotable, 2), {"currency": "CHF", "revision": revision + 1}, format="json"
    )
    assert refused.status_code == 400
    assert "currency" in refused.json()


def test_the_api_takes_json_numbers_not_formatted_text(pilotable, contributor):
    """The API is for machines: a number is a JSON number (or a plain numeric string)."""
    client = api(contributor)
    response = client.post(cases_url(pilotable), {"build_cost": "120,000"}, format="json")
    assert response.status_code == 400
    assert "build_cost" in response.json()
    assert (
        client.post(cases_url(pilotable), {"build_cost": 120000}, format="json").status_code == 201
    )


# --- Every form: the error summary ----------------------------------------------------------


class _Feedback(forms.Form):
    name = forms.CharField()
    note = forms.CharField(required=False, help_text="Anything else.")
    mood = forms.ChoiceField(choices=[("ok", "OK"), ("bad", "Bad")], widget=forms.RadioSelect)

    def clean(self):
        raise forms.ValidationError("The whole form is wrong.")


def test_every_form_lists_its_problems_first_each_linking_to_its_field():
    html = render_to_string("initiatives/_form_fields.html", {"form": _Feedback(data={})})
    summary = html[: html.index('<div class="field')]
    assert "There are 3 problems" in summary
    assert "<li>The whole form is wrong.</li>" in summary
    assert '<a href="#id_name">Name: This field is required.</a>' in summary
    assert '<a href="#id_mood_0">Mood: This field is required.</a>' in summary  # first radio
    assert 'class="field has-error"' in html
    assert '<span class="required">(required)</span>' in html
    assert re.search(r'<input[^>]*name="name"[^>]*aria-invalid="true"', html)
    assert re.search(r'<input[^>]*aria-describedby="id_name_error"', html)
    assert '<fieldset class="choices" aria-describedby=" id_mood_error">' in html


def test_a_form_without_errors_has_no_summary():
    html = render_to_string("initiatives/_form_fields.html", {"form": _Feedback()})
    assert "problem" not in html


def test_the_new_initiative_page_names_its_one_problem(viewer, as_user):
    data = {"name": "", "slug": "claims-triage", "risk_tier": "high"}
    data["business_unit"] = BusinessUnitFactory().pk
    page = as_user(viewer).post(reverse("initiative-create"), data).content.decode()
    assert "There is 1 problem" in page
    assert '<a href="#id_name">Name: This field is required.</a>' in page
    assert re.search(r'for="id_name">Name <span class="required">\(required\)</span>', page)
