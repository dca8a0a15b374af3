"""EU AI Act classification: one version of an initiative's classification, its stored
result as given (a factory does not derive; use the service for that)."""

import factory
from django.utils import timezone

from initiatives.core.choices import ClassificationStatus, RegulatoryCategory, RegulatoryRole
from initiatives.models import Classification
from tests.factories.portfolio import InitiativeFactory, UserFactory


class ClassificationFactory(factory.django.DjangoModelFactory):
    """A confirmed, minimal-risk version unless told otherwise."""

    class Meta:
        model = Classification

    initiative = factory.SubFactory(InitiativeFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = ClassificationStatus.CONFIRMED
    category = RegulatoryCategory.MINIMAL
    role = RegulatoryRole.DEPLOYER
    answers = factory.LazyFunction(lambda: {"role": ["deployer"]})
    reasons = factory.LazyFunction(lambda: [["Art. 4", "Minimal risk."]])
    created_by = factory.SubFactory(UserFactory)
    submitted_by = factory.SelfAttribute("created_by")
    submitted_at = factory.LazyFunction(timezone.now)
    reviewed_by = factory.SubFactory(UserFactory)
    reviewed_at = factory.LazyFunction(timezone.now)
