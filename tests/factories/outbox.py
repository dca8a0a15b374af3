"""The outbox: every e-mail, as its record."""

import factory

from initiatives.core.choices import EmailKind
from initiatives.models import EmailRecord


class EmailRecordFactory(factory.django.DjangoModelFactory):
    """A pending e-mail about no initiative in particular, unless told otherwise."""

    class Meta:
        model = EmailRecord

    dedupe_key = factory.Sequence(lambda n: f"test:{n}")
    kind = EmailKind.OWNERLESS
    recipient = factory.Sequence(lambda n: f"recipient{n}@example.org")
