"""Value realisation: value reports and value reporter grants."""

from decimal import Decimal

import factory

from initiatives.models import ValueReport, ValueReporterGrant
from tests.factories.portfolio import InitiativeFactory, UserFactory


class ValueReportFactory(factory.django.DjangoModelFactory):
    """One quarter's report (Q3 2025 unless told), in EUR, every figure 0 unless given."""

    class Meta:
        model = ValueReport

    initiative = factory.SubFactory(InitiativeFactory)
    year = 2025
    quarter = 3
    currency = "EUR"
    revenue_protected = Decimal("0")
    reported_by = factory.SubFactory(UserFactory)


class ValueReporterGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueReporterGrant

    user = factory.SubFactory(UserFactory, machine_client=True)
    initiative = factory.SubFactory(InitiativeFactory)
