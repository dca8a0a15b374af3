"""The real path of the simplest e-mail: naming an owner, through a Celery worker on the
configured broker (Redis in CI), after the transaction commits."""

import pytest
from django.core import mail

from initiatives.ownership import services
from tests.factories import InitiativeFactory, UserFactory
from tests.support.components import wait_for


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_naming_an_owner_emails_them_through_a_real_worker(celery_worker):
    contributor = UserFactory(username="contributor")
    owner = UserFactory(username="owner", email="owner@example.com")
    initiative = InitiativeFactory(name="Claims triage", members=[contributor])
    services.handover_start(initiative=initiative, actor=contributor, to_owner=owner)
    assert wait_for(lambda: len(mail.outbox) == 1), "the worker did not send the e-mail"
    (message,) = mail.outbox
    assert message.to == ["owner@example.com"]
    assert "Claims triage" in message.subject
