"""The cross-walk: sources, framework items and the links from milestones to them. The
shipped set is loaded by the migrations; these make extra rows for a test."""

import datetime

import factory

from initiatives.core.choices import Framework
from initiatives.models import CrosswalkLink, CrosswalkSource, FrameworkItem
from tests.factories.readiness import ReadinessMilestoneFactory


class CrosswalkSourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrosswalkSource
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"source-{n}")
    name = factory.Sequence(lambda n: f"Mapping {n}")
    version = "1"
    published = datetime.date(2026, 1, 15)


class FrameworkItemFactory(factory.django.DjangoModelFactory):
    """An item of a framework that the shipped set does not have (its code is made up)."""

    class Meta:
        model = FrameworkItem

    framework = Framework.NIST_AI_RMF
    code = factory.Sequence(lambda n: f"TEST {n}.1")
    title = factory.Sequence(lambda n: f"Something is documented ({n}).")
    source = factory.SubFactory(CrosswalkSourceFactory)


class CrosswalkLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CrosswalkLink

    milestone = factory.SubFactory(ReadinessMilestoneFactory)
    item = factory.SubFactory(FrameworkItemFactory)
    source = factory.SelfAttribute("item.source")
