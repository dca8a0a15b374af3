"""ISO 4217 currencies, from pycountry's copy of the standard, and the organisation's own
(PORTAL_CURRENCIES): the only ones a business case may be written in from the form or the API,
besides the one an initiative's case is already in."""

from functools import cache

import pycountry
from django.conf import settings
from django.core.exceptions import ValidationError

# ISO 4217 codes that are not money a business case could be written in.
NOT_MONEY = frozenset({"XXX", "XTS", "XAU", "XAG", "XPD", "XPT", "XDR", "XSU", "XUA"})


@cache
def currency_choices() -> list[tuple[str, str]]:
    """(code, "EUR — Euro") for every current ISO 4217 currency, common ones first."""
    common = ["EUR", "USD", "GBP", "CHF", "JPY", "CNY", "INR", "CAD", "AUD", "SEK", "NOK", "DKK"]
    names = {c.alpha_3: c.name for c in pycountry.currencies if c.alpha_3 not in NOT_MONEY}
    first = [(code, f"{code} — {names[code]}") for code in common if code in names]
    rest = sorted((code, f"{code} — {name}") for code, name in names.items() if code not in common)
    return first + rest


def validate_currency(value: str) -> None:
    known = pycountry.currencies.get(alpha_3=str(value).upper()) is not None
    if not known or value != value.upper() or value in NOT_MONEY:
        raise ValidationError(
            "'%(value)s' is not an ISO 4217 currency code (e.g. EUR, USD, GBP).",
            params={"value": value},
            code="invalid_currency",
        )


def default_currency() -> str:
    return settings.PORTAL_DEFAULT_CURRENCY


def portal_currencies() -> list[str]:
    """The organisation's currencies (PORTAL_CURRENCIES), in the order configured."""
    return list(settings.PORTAL_CURRENCIES)


def allowed_currencies(also: str | None = None) -> list[str]:
    """The currencies a case may be written in: the organisation's, plus `also`, the one the
    initiative's case is already in (a case from before the list, or from an import, stays
    editable in its own currency rather than being forced to change it)."""
    codes = portal_currencies()
    if also and also not in codes:
        codes.append(also)
    return codes


def allowed_currency_choices(also: str | None = None) -> list[tuple[str, str]]:
    """(code, "EUR — Euro") for each of `allowed_currencies(also)`."""
    names = dict(currency_choices())
    return [(code, names.get(code, code)) for code in allowed_currencies(also)]


def check_allowed_currency(value: str, also: str | None = None) -> None:
    """Refuse a currency outside the organisation's list (`ValidationError`, code
    "currency_not_used"), naming the ones it uses."""
    allowed = allowed_currencies(also)
    if value not in allowed:
        raise ValidationError(
            "%(value)s is not one of the organisation's currencies: %(allowed)s.",
            params={"value": value, "allowed": ", ".join(allowed)},
            code="currency_not_used",
        )
