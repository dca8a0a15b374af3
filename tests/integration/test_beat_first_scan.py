"""Beat queues a scan as it starts (found by review: a fresh deploy waited an hour for its
first scan, and check_portal and the overdue alert failed meanwhile). Real processes: a
beat and a worker on a private Redis, sharing the PostgreSQL test database."""

import subprocess
import sys

import pytest
from django.conf import settings

from initiatives.models import ScanRun
from tests.support.components import (
    require_postgresql,
    smtp_server,
    wait_for,
    worker_environment,
    worker_process,
)

pytest.importorskip("aiosmtpd", reason="aiosmtpd (a dev dependency) runs the test SMTP server")


@pytest.mark.real_broker
@pytest.mark.django_db(transaction=True)
def test_beat_queues_a_scan_as_it_starts(private_redis, tmp_path):
    require_postgresql(
        "a worker process must share the test database, and SQLite's test database is in memory"
    )
    assert not ScanRun.objects.exists()
    with smtp_server() as smtp:
        environment = worker_environment(
            broker_url=private_redis.url,
            smtp=smtp,
            PORTAL_SCAN_INTERVAL_SECONDS="3600",  # the schedule alone would wait an hour
        )
        beat_log = tmp_path / "beat.log"
        with (
            worker_process("first-scan", environment, tmp_path / "worker.log") as worker,
            beat_log.open("wb") as log,
        ):
            beat = subprocess.Popen(  # noqa: S603 (a fixed command, no shell)
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "portal",
                    "beat",
                    f"--schedule={tmp_path / 'schedule'}",
                ],
                cwd=settings.BASE_DIR,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            try:
                finished = wait_for(
                    lambda: ScanRun.objects.filter(finished_at__isnull=False).exists(),
                    timeout=60,
                )
            finally:
                beat.kill()
                beat.wait(timeout=10)
            assert finished, beat_log.read_text(errors="replace") + worker.log()
