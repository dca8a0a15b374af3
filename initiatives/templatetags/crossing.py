from decimal import ROUND_HALF_UP, Decimal

from django import template

from initiatives.people import display_name

register = template.Library()


@register.filter
def person(user, empty: str = "—") -> str:
    """A person's full name, else their username; `empty` when there is nobody."""
    return display_name(user or None, empty=empty)


@register.filter
def money(value, currency: str = "") -> str:
    """1234567.5 → "1,234,567.50 EUR"; exact, from the Decimal."""
    if value is None or value == "":
        return "—"
    text = f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,}"
    return f"{text} {currency}".strip()


@register.filter
def percent(value) -> str:
    """A fraction as a percentage: 0.4567 → "45.7 %"."""
    if value is None:
        return "—"
    return f"{(Decimal(value) * 100).quantize(Decimal('0.1'), ROUND_HALF_UP)} %"


@register.filter
def next_item(sequence, index: int):
    """The element after `index` (for "compare with the previous version")."""
    return sequence[index + 1]
