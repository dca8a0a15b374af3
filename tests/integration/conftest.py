import pytest
from celery.contrib.testing.worker import start_worker

from portal.celery import app
from tests.support.components import (
    PrivateRedis,
    configured_broker_reachable,
    free_port,
    purge_broker,
    redis_server_executable,
)


@pytest.fixture
def celery_worker():
    """A worker thread consuming from the configured broker (Redis in CI)."""
    reachable, reason = configured_broker_reachable()
    if not reachable:
        pytest.skip(reason)
    purge_broker()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
        yield worker


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own, on a free port; killed at the end whatever happens."""
    server = PrivateRedis(redis_server_executable(), free_port(), tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()
