"""SCIM provisioning: the identity provider's tokens, ids and groups."""

import hashlib

import factory

from initiatives.models import ScimAccount, ScimGroup, ScimToken
from tests.factories.portfolio import UserFactory


class ScimTokenFactory(factory.django.DjangoModelFactory):
    """A SCIM token whose key is `.key` (stored only as its hash). For a token as the
    command makes it, call `scim.scim_token_create`."""

    class Meta:
        model = ScimToken

    name = factory.Sequence(lambda n: f"provider {n}")
    key = factory.Sequence(lambda n: f"scim-token-{n}")
    key_hash = factory.LazyAttribute(lambda o: hashlib.sha256(o.key.encode()).hexdigest())

    @classmethod
    def _create(cls, model_class, *args, key, **kwargs):
        instance = super()._create(model_class, *args, **kwargs)
        instance.key = key
        return instance


class ScimAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScimAccount

    person = factory.SubFactory(UserFactory)
    external_id = factory.Sequence(lambda n: f"ext-{n}")


class ScimGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScimGroup

    name = factory.Sequence(lambda n: f"Provider group {n}")
