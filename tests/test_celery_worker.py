"""The real path: a Celery worker consuming from the configured broker (Redis in CI).

`task_always_eager` only emulates a worker; this starts one in a thread, publishes through
the broker after the transaction commits, and watches the e-mail arrive.
"""

import time
from urllib.parse import urlparse

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail

from initiatives import services
from portal.celery import app
from tests.factories import InitiativeFactory, UserFactory


def broker_reachable() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return True, ""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        host = urlparse(url).netloc
        return False, f"no Redis server at {host} (CELERY_BROKER_URL)"
    return True, ""


@pytest.fixture
def celery_worker():
    reachable, reason = broker_reachable()
    if not reachable:
        pytest.skip(reason)
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


def wait_for(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


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
