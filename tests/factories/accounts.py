"""API tokens: knox's tokens, the portal's details about them, and their revocations."""

import factory
from django.utils import timezone
from knox.models import AuthToken

from initiatives.models import ApiTokenInfo, ApiTokenRevocation
from tests.factories.portfolio import UserFactory


class AuthTokenFactory(factory.django.DjangoModelFactory):
    """A knox token as the admin or an older command makes it: no ApiTokenInfo row, knox's
    default lifetime. The key itself (stored only as a hash) is on `.key`:

        client.credentials(HTTP_AUTHORIZATION=f"Token {AuthTokenFactory(user=u).key}")

    For a token as people make it on their profile page, call `services.api_token_create`.
    """

    class Meta:
        model = AuthToken

    user = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        instance, key = cls._get_manager(model_class).create(*args, **kwargs)
        instance.key = key
        return instance


class ApiTokenInfoFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiTokenInfo

    token = factory.SubFactory(AuthTokenFactory)
    name = factory.Sequence(lambda n: f"token {n}")


class ApiTokenRevocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApiTokenRevocation

    user = factory.SubFactory(UserFactory)
    token_key = factory.Sequence(lambda n: f"{n:08x}")
    name = factory.Sequence(lambda n: f"token {n}")
    created = factory.LazyFunction(timezone.now)
    reason = ApiTokenRevocation.Reason.BY_OWNER
