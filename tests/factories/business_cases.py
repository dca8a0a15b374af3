"""Business cases: one version of an initiative's case."""

from decimal import Decimal

import factory
from django.utils import timezone

from initiatives.core.choices import BusinessCaseStatus
from initiatives.models import BusinessCase, ExchangeRate
from tests.factories.portfolio import InitiativeFactory, UserFactory


class BusinessCaseFactory(factory.django.DjangoModelFactory):
    """A business case version; `status` as given (approved needs no review here)."""

    class Meta:
        model = BusinessCase

    initiative = factory.SubFactory(InitiativeFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = BusinessCaseStatus.SUBMITTED
    currency = "EUR"
    revenue_protected = Decimal("100000.00")
    costs_reduced = Decimal("50000.00")
    build_cost = Decimal("80000.00")
    infrastructure_cost = Decimal("12000.00")
    created_by = factory.SubFactory(UserFactory)
    reviewed_at = factory.LazyFunction(timezone.now)


class ExchangeRateFactory(factory.django.DjangoModelFactory):
    """One unit of `currency` in the reporting currency (EUR in the tests) from `valid_from`."""

    class Meta:
        model = ExchangeRate

    currency = "USD"
    rate = Decimal("0.90")
    valid_from = factory.LazyFunction(timezone.localdate)
    entered_by = factory.SubFactory(UserFactory)
