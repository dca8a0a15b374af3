"""Exchange rates (README "Reporting currency"): entered by an administrator, one per
currency and day, and the conversion of per-currency totals into PORTAL_REPORTING_CURRENCY
with the latest rate on or before a day."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core import checks
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from initiatives.business_cases.rates import UsedRate, to_reporting_currency
from initiatives.models import ExchangeRate
from tests.factories import ExchangeRateFactory, UserFactory

pytestmark = pytest.mark.django_db

JUNE_1 = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def currencies(settings):
    settings.PORTAL_CURRENCIES = ["EUR", "USD", "GBP"]
    settings.PORTAL_REPORTING_CURRENCY = "EUR"


def rate(currency: str, value: str, valid_from: date) -> ExchangeRate:
    return ExchangeRateFactory(currency=currency, rate=Decimal(value), valid_from=valid_from)


# --- The conversion ---------------------------------------------------------------------------


def test_the_worked_example_converts_with_the_rates_valid_on_the_day_to_the_cent():
    # The module docstring's example: USD 0.90 from 1 January and 0.92 from 1 July, GBP 1.17
    # from 1 March; on 1 June the July rate is not yet valid.
    rate("USD", "0.90", date(2026, 1, 1))
    rate("USD", "0.92", date(2026, 7, 1))
    rate("GBP", "1.17", date(2026, 3, 1))
    totals = {"EUR": Decimal("1000.00"), "USD": Decimal("500.00"), "GBP": Decimal("200.005")}

    total = to_reporting_currency(totals, on=JUNE_1)

    # 1000.00 + 500.00 × 0.90 + 200.005 × 1.17 = 1000.00 + 450.00 + 234.00585 = 1684.00585
    assert total.amount == Decimal("1684.01")
    assert total.currency == "EUR"
    assert total.rates == [
        UsedRate("GBP", Decimal("1.17"), date(2026, 3, 1)),
        UsedRate("USD", Decimal("0.90"), date(2026, 1, 1)),
    ]
    assert total.missing == []


def test_the_latest_rate_on_or_before_the_day_is_used_a_rate_from_that_very_day_included():
    rate("USD", "0.50", date(2025, 1, 1))
    rate("USD", "0.80", JUNE_1)
    rate("USD", "9.99", JUNE_1 + timedelta(days=1))

    total = to_reporting_currency({"USD": Decimal("100")}, on=JUNE_1)

    assert total.amount == Decimal("80.00")
    assert total.rates == [UsedRate("USD", Decimal("0.80"), JUNE_1)]


def test_half_a_cent_is_rounded_up():
    rate("USD", "0.5", JUNE_1)
    assert to_reporting_currency({"USD": Decimal("0.01")}, on=JUNE_1).amount == Decimal("0.01")
    assert to_reporting_currency({"USD": Decimal("0.03")}, on=JUNE_1).amount == Decimal("0.02")


def test_a_currency_without_a_rate_by_then_gives_no_total_and_is_named():
    rate("USD", "0.90", date(2026, 1, 1))
    rate("GBP", "1.17", JUNE_1 + timedelta(days=1))  # only from the next day

    total = to_reporting_currency(
        {"EUR": Decimal("10"), "USD": Decimal("10"), "GBP": Decimal("10")}, on=JUNE_1
    )

    assert total.amount is None
    assert total.missing == ["GBP"]
    assert total.rates == [UsedRate("USD", Decimal("0.90"), date(2026, 1, 1))]  # still said


def test_totals_in_the_reporting_currency_alone_need_no_rate_and_no_query(
    django_assert_num_queries,
):
    with django_assert_num_queries(0):
        total = to_reporting_currency({"EUR": Decimal("12.345")}, on=JUNE_1)
    assert (total.amount, total.rates, total.missing, total.converted) == (
        Decimal("12.35"),
        [],
        [],
        False,
    )


def test_one_query_whatever_the_number_of_currencies(django_assert_num_queries):
    codes = ["USD", "GBP", "CHF", "JPY", "SEK", "NOK"]
    for index, code in enumerate(codes):
        for days in (0, 30, 60):
            rate(code, f"1.{index}{days}", JUNE_1 - timedelta(days=days))
    totals = {code: Decimal("1") for code in codes}

    with django_assert_num_queries(1):
        total = to_reporting_currency(totals, on=JUNE_1)

    assert [r.currency for r in total.rates] == sorted(codes)
    assert all(r.valid_from == JUNE_1 for r in total.rates)


# --- The rate itself --------------------------------------------------------------------------


def test_a_rate_of_zero_or_less_is_refused_on_its_field_and_by_the_database():
    entered_by = UserFactory()
    for bad in ("0", "-0.5"):
        with pytest.raises(ValidationError) as refused:
            ExchangeRate(
                currency="USD", rate=Decimal(bad), valid_from=JUNE_1, entered_by=entered_by
            ).full_clean()
        assert refused.value.message_dict == {"rate": ["A rate is more than zero."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(
            currency="USD", rate=0, valid_from=JUNE_1, entered_by=entered_by
        )


def test_one_rate_per_currency_and_day():
    rate("USD", "0.90", JUNE_1)
    again = ExchangeRate(
        currency="USD", rate=Decimal("0.91"), valid_from=JUNE_1, entered_by=UserFactory()
    )
    with pytest.raises(ValidationError) as refused:
        again.full_clean()
    assert "correct that one instead" in refused.value.message_dict["valid_from"][0]
    with pytest.raises(IntegrityError), transaction.atomic():
        again.save()
    # Another currency, or another day, is fine.
    ExchangeRate(
        currency="GBP", rate=Decimal("1.1"), valid_from=JUNE_1, entered_by=again.entered_by
    ).full_clean()


@pytest.mark.parametrize(
    ("currency", "message"),
    [
        ("EUR", "EUR is the reporting currency: its rate is always 1."),
        ("JPY", "JPY is not one of the organisation's currencies: EUR, USD, GBP."),
    ],
)
def test_a_rate_is_for_one_of_the_organisations_other_currencies(currency, message):
    with pytest.raises(ValidationError) as refused:
        ExchangeRate(
            currency=currency, rate=Decimal("1.1"), valid_from=JUNE_1, entered_by=UserFactory()
        ).full_clean()
    assert refused.value.message_dict["currency"] == [message]


# --- The setting ------------------------------------------------------------------------------


def test_the_system_check_refuses_a_reporting_currency_the_organisation_does_not_use(settings):
    assert not [m for m in checks.run_checks() if m.id == "business_cases.E001"]

    settings.PORTAL_REPORTING_CURRENCY = "JPY"
    errors = [m for m in checks.run_checks() if m.id == "business_cases.E001"]

    assert len(errors) == 1
    assert (
        "PORTAL_REPORTING_CURRENCY (JPY) is not one of PORTAL_CURRENCIES (EUR, USD, GBP)"
        in errors[0].msg
    )


# --- The admin --------------------------------------------------------------------------------

ADD = reverse("admin:initiatives_exchangerate_add")


def test_a_staff_member_enters_a_rate_in_the_admin_and_its_history_is_kept(staff):
    client = Client()
    client.force_login(staff)

    response = client.post(
        ADD, {"currency": "USD", "rate": "0.9150", "valid_from": "2026-06-01", "note": "ECB"}
    )

    assert response.status_code == 302
    entered = ExchangeRate.objects.get()
    assert (entered.currency, entered.rate, entered.valid_from, entered.entered_by) == (
        "USD",
        Decimal("0.9150"),
        JUNE_1,
        staff,
    )
    change = reverse("admin:initiatives_exchangerate_change", args=[entered.pk])
    client.post(
        change,
        {"currency": "USD", "rate": "0.9160", "valid_from": "2026-06-01", "note": "ECB, corrected"},
    )
    assert [h.rate for h in entered.history.order_by("history_date")] == [
        Decimal("0.9150"),
        Decimal("0.9160"),
    ]
    # Corrected, never deleted: the totals computed with it can be explained later.
    delete = reverse("admin:initiatives_exchangerate_delete", args=[entered.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert ExchangeRate.objects.filter(pk=entered.pk).exists()


def test_a_bad_rate_comes_back_with_field_messages_and_what_was_typed(staff):
    client = Client()
    client.force_login(staff)

    response = client.post(
        ADD, {"currency": "USD", "rate": "0", "valid_from": "2026-06-01", "note": "typo"}
    )

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.errors["rate"] == ["A rate is more than zero."]
    assert 'value="typo"' in response.content.decode()
    # The reporting currency is not offered at all.
    assert [code for code, _ in form.fields["currency"].choices] == ["", "USD", "GBP"]
    assert not ExchangeRate.objects.exists()


def test_someone_who_is_not_staff_cannot_enter_a_rate(viewer):
    client = Client()
    client.force_login(viewer)

    response = client.post(ADD, {"currency": "USD", "rate": "0.9", "valid_from": "2026-06-01"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    assert not ExchangeRate.objects.exists()
