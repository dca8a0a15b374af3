"""Ownership: handovers to a production owner, the owner's confirmations, and requests to
promote an initiative to production."""

import factory

from initiatives.core.choices import ConfirmationChannel
from initiatives.models import OwnershipConfirmation, OwnershipHandover, PromotionRequest
from tests.factories.portfolio import InitiativeFactory, UserFactory


class OwnershipHandoverFactory(factory.django.DjangoModelFactory):
    """A handover as the database keeps it, pending unless told otherwise. Only the record:
    the initiative's production owner is not changed (`services.handover_start` does that)."""

    class Meta:
        model = OwnershipHandover

    initiative = factory.SubFactory(InitiativeFactory)
    to_owner = factory.SubFactory(UserFactory)


class OwnershipConfirmationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OwnershipConfirmation

    initiative = factory.SubFactory(InitiativeFactory)
    owner = factory.SubFactory(UserFactory)
    channel = ConfirmationChannel.WEB


class PromotionRequestFactory(factory.django.DjangoModelFactory):
    """A request to promote to production, pending unless told otherwise."""

    class Meta:
        model = PromotionRequest

    initiative = factory.SubFactory(InitiativeFactory)
