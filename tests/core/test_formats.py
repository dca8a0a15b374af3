"""One money, number, rate, date and timestamp format on every page and e-mail."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from initiatives.core import formats
from initiatives.core.choices import BusinessCaseStatus, Stage
from tests.factories import BusinessCaseFactory, InitiativeFactory, StageTransitionFactory
from tests.support.clients import client_for

MOMENT = datetime(2027, 2, 28, 14, 5, 3, 123456, tzinfo=UTC)


def render(text: str, **context) -> str:
    return Template("{% load crossing %}" + text).render(Context(context))


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (Decimal("1250000"), "EUR", "EUR 1,250,000"),
        (Decimal("1234567.50"), "EUR", "EUR 1,234,568"),  # whole units, half up
        (Decimal("-80000.49"), "USD", "USD -80,000"),
        (Decimal("999.99"), "GBP", "GBP 1,000"),
        (0, "EUR", "EUR 0"),
        (None, "EUR", "—"),
    ],
)
def test_money_is_whole_units_with_separators_and_the_currency_first(value, currency, shown):
    assert render("{{ v|money:c }}", v=value, c=currency) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0.4567, "45.7 %"), (1, "100.0 %"), (0.0005, "0.1 %"), (Decimal("0.065"), "6.5 %")],
)
def test_rates_are_percentages(value, shown):
    assert render("{{ v|percent }}", v=value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(1200, "1,200 h"), (12.5, "12.5 h"), (Decimal("333.33"), "333.3 h")]
)
def test_hours_have_thousands_separators(value, shown):
    assert render("{{ v|hours }}", v=value) == shown


def test_numbers_have_thousands_separators_and_the_places_asked():
    assert render("{{ v|number }} {{ s|number:3 }}", v=3_600_000, s=0.81234) == "3,600,000 0.812"


def test_dates_have_one_format():
    assert render("{{ d|day }}", d=date(2027, 2, 28)) == "28 Feb 2027"
    assert render("{{ d|day }}", d=None) == "—"
    assert render('{{ d|day:"never" }}', d=None) == "never"


def test_timestamps_say_their_time_zone(settings):
    assert render("{{ t|when }}", t=MOMENT) == "28 Feb 2027 14:05 UTC"
    settings.TIME_ZONE = "Europe/Paris"
    assert render("{{ t|when }}", t=MOMENT) == "28 Feb 2027 15:05 CET"
    # The day of a late-evening timestamp is the day where the portal is.
    assert render("{{ t|day }}", t=datetime(2027, 2, 28, 23, 30, tzinfo=UTC)) == "1 Mar 2027"


def test_iso_has_no_microseconds():
    assert render("{{ t|iso }}", t=MOMENT) == "2027-02-28T14:05:03+00:00"
    assert formats.iso(date(2027, 2, 28)) == "2027-02-28"


def test_no_template_formats_dates_or_numbers_by_hand():
    """Every template uses the filters: a `|date:"…"` or `|floatformat` is a second format.
    The initiative list (rebuilt elsewhere) and the portfolio's median (whole days, decided
    by its selector) are the known exceptions."""
    from pathlib import Path

    allowed = {"initiative_list.html", "portfolio.html"}
    offenders = [
        str(path)
        for path in Path("templates").rglob("*.*")
        if path.name not in allowed
        and ("|date:" in path.read_text() or "|floatformat" in path.read_text())
    ]
    assert offenders == []


@pytest.mark.django_db
def test_business_case_page_shows_money_hours_and_dates_in_the_portal_format(reviewer):
    case = BusinessCaseFactory(
        status=BusinessCaseStatus.APPROVED,
        revenue_protected=Decimal("1250000.40"),
        capacity_hours=Decimal("1200"),
        hourly_rate=Decimal("50"),
        target_pilot_date=date(2027, 2, 28),
        submitted_at=MOMENT,
        submitted_by=reviewer,
    )
    page = client_for(reviewer).get(case.get_absolute_url()).content.decode()
    assert "EUR 1,250,000" in page
    assert "1,200 h × EUR 50 = EUR 60,000" in page
    assert "28 Feb 2027" in page
    assert ".00" not in page  # no cents anywhere


@pytest.mark.django_db
def test_initiative_page_shows_timestamps_with_their_time_zone(viewer):
    initiative = InitiativeFactory(stage=Stage.POC)
    StageTransitionFactory(
        initiative=initiative, from_stage=Stage.IDEA, to_stage=Stage.POC, at=MOMENT
    )
    page = client_for(viewer).get(initiative.get_absolute_url()).content.decode()
    assert "28 Feb 2027 14:05 UTC" in page


@pytest.mark.django_db
def test_business_case_page_shows_roi_as_a_percentage(reviewer):
    case = BusinessCaseFactory(status=BusinessCaseStatus.APPROVED)
    page = client_for(reviewer).get(case.get_absolute_url()).content.decode()
    roi = case.figures.roi_3y
    assert formats.percent(roi) in page
    assert formats.percent(roi).endswith(" %")


def test_a_plain_date_given_as_a_timestamp_shows_as_a_date():
    assert render("{{ d|when }}", d=date(2027, 2, 28)) == "28 Feb 2027"
