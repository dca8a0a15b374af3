"""The watch: flags the scan raises, and the scan's own runs."""

import factory
from django.utils import timezone

from initiatives.core.choices import FlagKind
from initiatives.models import Flag, ScanRun
from tests.factories.portfolio import InitiativeFactory


class FlagFactory(factory.django.DjangoModelFactory):
    """An open flag (stalled unless told otherwise), opened now."""

    class Meta:
        model = Flag

    initiative = factory.SubFactory(InitiativeFactory)
    kind = FlagKind.STALLED


class ScanRunFactory(factory.django.DjangoModelFactory):
    """A scan run started now and not finished; pass `finished_at=` for one that finished."""

    class Meta:
        model = ScanRun

    as_of = factory.LazyFunction(timezone.now)
