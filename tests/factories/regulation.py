"""EU AI Act classification: one version of an initiative's classification, its stored
result as given (a factory does not derive; use the service for that)."""

import factory
from django.utils import timezone

from initiatives.core.choices import (
    ClassificationStatus,
    QuestionKind,
    RegulatoryCategory,
    RegulatoryRole,
)
from initiatives.models import Classification, Option, Question
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


class QuestionFactory(factory.django.DjangoModelFactory):
    """A yes/no question of the questionnaire (give it options with OptionFactory)."""

    class Meta:
        model = Question

    key = factory.Sequence(lambda n: f"question-{n}")
    section = "Transparency"
    text = "Does the system talk with people directly?"
    article = "Art. 50(1)"
    kind = QuestionKind.YES_NO
    order = factory.Sequence(lambda n: 1000 + n)


class OptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Option

    question = factory.SubFactory(QuestionFactory)
    key = factory.Sequence(lambda n: f"option-{n}")
    label = "Yes"
    effect = "transparency:50(1)"
