"""ISO 4217 currencies, from pycountry's copy of the standard."""

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
