"""Amounts in several currencies as one amount in the reporting currency
(PORTAL_REPORTING_CURRENCY), with the exchange rates an administrator entered (README
"Reporting currency"). A read: other domains call it as they call selectors.

    amount = Σ total[c] × rate[c]   (the reporting currency's own total at rate 1)

where rate[c] is the latest rate of `c` valid on or before the day asked about. The sum is
rounded once, to the cent, half up. Without a rate for one of the currencies there is no
total (`amount` None) and `missing` names the currencies: a total that left one out, or
guessed its rate, would look right and be wrong.

Worked example, reporting in EUR on 1 June 2026, with USD rates of 0.90 from 1 January and
0.92 from 1 July, and a GBP rate of 1.17 from 1 March:

    {"EUR": 1000.00, "USD": 500.00, "GBP": 200.005}
    = 1000.00 + 500.00 × 0.90 + 200.005 × 1.17 = 1000.00 + 450.00 + 234.00585 = 1684.01
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import OuterRef, Subquery

from initiatives.business_cases.models import ExchangeRate

CENT = Decimal("0.01")


@dataclass(frozen=True)
class UsedRate:
    """One unit of `currency` was worth `rate` in the reporting currency from `valid_from`."""

    currency: str
    rate: Decimal
    valid_from: date

    @property
    def rate_text(self) -> str:
        """The rate as entered, without trailing zeros or an exponent: "0.92"."""
        return f"{self.rate.normalize():f}"


@dataclass(frozen=True)
class ReportingTotal:
    """Amounts in the reporting currency `currency`, or None when a rate is `missing`; the
    rates it used, by currency code."""

    amount: Decimal | None
    currency: str
    on: date
    rates: list[UsedRate] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def converted(self) -> bool:
        """Whether a currency other than the reporting one went into the total."""
        return bool(self.rates)


def reporting_currency() -> str:
    """The currency portfolio totals are given in (PORTAL_REPORTING_CURRENCY)."""
    return settings.PORTAL_REPORTING_CURRENCY


def latest_rates(currencies, *, on: date) -> dict[str, UsedRate]:
    """The latest rate on or before `on` of each of `currencies` that has one, by currency.
    One query (none for no currencies), read backwards along the (currency, valid_from)
    unique index."""
    codes = sorted(set(currencies))
    if not codes:
        return {}
    latest = (
        ExchangeRate.objects.filter(currency=OuterRef("currency"), valid_from__lte=on)
        .order_by("-valid_from")
        .values("pk")[:1]
    )
    rows = ExchangeRate.objects.filter(
        currency__in=codes, valid_from__lte=on, pk=Subquery(latest)
    ).values_list("currency", "rate", "valid_from")
    return {currency: UsedRate(currency, rate, valid_from) for currency, rate, valid_from in rows}


def to_reporting_currency(totals: Mapping[str, Decimal], *, on: date) -> ReportingTotal:
    """`totals` (amounts by ISO 4217 code) as one amount in the reporting currency, with the
    latest rate on or before `on` of each other currency; `amount` is None, and `missing`
    lists the currencies, when any has no rate by then. At most one query, whatever the
    number of currencies."""
    reporting = reporting_currency()
    foreign = sorted(c for c in totals if c != reporting)
    found = latest_rates(foreign, on=on)
    used = [found[c] for c in foreign if c in found]
    missing = [c for c in foreign if c not in found]
    if missing:
        return ReportingTotal(None, reporting, on, used, missing)
    amount = Decimal(totals.get(reporting, 0)) + sum(
        (Decimal(totals[r.currency]) * r.rate for r in used), Decimal(0)
    )
    return ReportingTotal(amount.quantize(CENT, ROUND_HALF_UP), reporting, on, used, [])
