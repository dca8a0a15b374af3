"""A system check that the reporting currency (PORTAL_REPORTING_CURRENCY) is one of the
organisation's currencies (PORTAL_CURRENCIES), so a mistyped setting stops `manage.py check`
(and every deploy) instead of a portfolio total in a currency no rate is entered for."""

from django.conf import settings
from django.core import checks


@checks.register()
def reporting_currency_is_used(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    reporting = settings.PORTAL_REPORTING_CURRENCY
    if reporting in settings.PORTAL_CURRENCIES:
        return []
    return [
        checks.Error(
            f"PORTAL_REPORTING_CURRENCY ({reporting}) is not one of PORTAL_CURRENCIES "
            f"({', '.join(settings.PORTAL_CURRENCIES)}).",
            hint="Set PORTAL_REPORTING_CURRENCY to one of them, or add it to PORTAL_CURRENCIES.",
            obj="settings.PORTAL_REPORTING_CURRENCY",
            id="business_cases.E001",
        )
    ]
