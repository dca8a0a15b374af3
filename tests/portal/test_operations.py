"""Running the portal: is the scan on time, is the configuration sane, do backups restore."""

import os
import shutil
import subprocess
import sys
import uuid
from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from initiatives.dashboards import selectors as dashboards_selectors
from initiatives.models import Initiative, ScanRun
from initiatives.watch import selectors as watch_selectors
from tests.factories import FlagFactory, InitiativeFactory, ScanRunFactory
from tests.support.components import (
    celery_broker,
    configured_broker_reachable,
    database_url_for_worker,
    free_port,
    require_postgresql,
)

HOUR = 3600


# --- Is the scan on time? -------------------------------------------------------------------


def finished_scan(ago: timedelta) -> ScanRun:
    at = timezone.now() - ago
    return ScanRunFactory(started_at=at, finished_at=at, as_of=at)


@pytest.mark.django_db
def test_a_portal_where_no_scan_ever_finished_is_overdue(settings):
    settings.PORTAL_SCAN_INTERVAL_SECONDS = HOUR
    assert watch_selectors.scan_overdue() is True
    ScanRunFactory(as_of=timezone.now())  # started, never finished
    assert watch_selectors.scan_overdue() is True


@pytest.mark.django_db
def test_the_scan_is_overdue_only_after_two_intervals_without_a_finished_run(settings):
    settings.PORTAL_SCAN_INTERVAL_SECONDS = HOUR
    run = finished_scan(ago=timedelta(hours=1, minutes=30))
    now = timezone.now()
    assert watch_selectors.scan_overdue(now) is False
    assert watch_selectors.scan_overdue(now + timedelta(minutes=29)) is False
    assert watch_selectors.scan_overdue(now + timedelta(minutes=31)) is True
    settings.PORTAL_SCAN_INTERVAL_SECONDS = 10 * 60  # a faster beat: overdue already
    assert watch_selectors.scan_overdue(now) is True
    assert watch_selectors.last_scan_finished_at() == run.finished_at


@pytest.mark.django_db
def test_the_latest_finished_scan_counts_whatever_order_runs_were_recorded_in(settings):
    settings.PORTAL_SCAN_INTERVAL_SECONDS = HOUR
    finished_scan(ago=timedelta(minutes=5))
    finished_scan(ago=timedelta(days=3))
    assert watch_selectors.scan_overdue() is False


@pytest.mark.django_db
def test_the_dashboard_and_the_health_check_agree_on_the_last_finished_scan(settings):
    """Two scans overlapped: the one started later finished first. The last finished scan is
    the one that finished last, on the dashboard and in the overdue check alike."""
    settings.PORTAL_SCAN_INTERVAL_SECONDS = HOUR
    now = timezone.now()
    long_run = ScanRunFactory(
        started_at=now - timedelta(minutes=30), finished_at=now - timedelta(minutes=1), as_of=now
    )
    ScanRunFactory(
        started_at=now - timedelta(minutes=20), finished_at=now - timedelta(minutes=15), as_of=now
    )
    assert dashboards_selectors.scan_state(now).last == long_run
    assert watch_selectors.last_scan_finished_at() == long_run.finished_at


# --- check_portal ---------------------------------------------------------------------------


def run_check_portal() -> tuple[str, CommandError | None]:
    from io import StringIO

    out = StringIO()
    try:
        call_command("check_portal", stdout=out)
    except CommandError as error:
        return out.getvalue(), error
    return out.getvalue(), None


def production_like(settings) -> None:
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = ["crossing.example.org"]
    settings.EMAIL_HOST = "smtp.example.org"
    settings.PORTAL_BASE_URL = "https://crossing.example.org"
    settings.GOVERNANCE_EMAIL = "governance@example.org"
    settings.DEFAULT_FROM_EMAIL = "Crossing <crossing@example.org>"
    settings.PORTAL_METRICS_TOKEN = "a-token"
    settings.PORTAL_SCAN_INTERVAL_SECONDS = HOUR


def redis_broker_url() -> str:
    url = django_settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        pytest.skip("needs Redis behind CELERY_BROKER_URL (CI runs it); the broker is " + url)
    reachable, reason = configured_broker_reachable()
    if not reachable:
        pytest.skip(reason)
    return url


@pytest.mark.django_db
def test_check_portal_passes_a_sound_production_configuration(settings):
    require_postgresql("production runs PostgreSQL, and check_portal says so of SQLite")
    production_like(settings)
    finished_scan(ago=timedelta(minutes=10))
    with celery_broker(redis_broker_url()):
        out, error = run_check_portal()
    assert error is None, out
    assert "No problems found (0 warning(s))." in out


@pytest.mark.django_db
def test_check_portal_names_every_mistake_in_plain_words_and_fails(settings):
    settings.DEBUG = True
    settings.ALLOWED_HOSTS = []
    settings.EMAIL_HOST = ""
    settings.PORTAL_BASE_URL = "http://127.0.0.1:8000"
    settings.PORTAL_METRICS_TOKEN = ""
    settings.GOVERNANCE_EMAIL = "governance@example.com"
    settings.PORTAL_SCAN_INTERVAL_SECONDS = HOUR
    finished_scan(ago=timedelta(hours=3))  # beat stopped an hour ago

    out, error = run_check_portal()

    assert error is not None
    assert error.returncode == 1
    assert "PROBLEM: DEBUG is on (DJANGO_DEBUG)" in out
    assert "PROBLEM: DJANGO_ALLOWED_HOSTS is empty" in out
    assert "PROBLEM: No SMTP host (EMAIL_HOST is unset): e-mails are written to files" in out
    assert "PROBLEM: PORTAL_BASE_URL is 'http://127.0.0.1:8000' (unset?)" in out
    assert "more than two scan intervals ago" in out
    assert "is celery beat running, and at least one worker?" in out
    assert "warning: GOVERNANCE_EMAIL is 'governance@example.com'" in out
    assert "warning: PORTAL_METRICS_TOKEN is unset: /metrics is off (404)" in out


@pytest.mark.django_db
def test_check_portal_refuses_a_base_url_without_https(settings):
    production_like(settings)
    settings.PORTAL_BASE_URL = "http://crossing.example.org"
    out, error = run_check_portal()
    assert error is not None
    assert "PORTAL_BASE_URL is 'http://crossing.example.org': not https" in out


@pytest.mark.django_db
def test_check_portal_reports_an_unreachable_broker(settings):
    production_like(settings)
    finished_scan(ago=timedelta(minutes=10))
    with celery_broker(f"redis://127.0.0.1:{free_port()}/13"):
        out, error = run_check_portal()
    assert error is not None
    assert "PROBLEM: Broker unreachable: cannot connect to the Celery broker" in out


@pytest.mark.django_db
def test_check_portal_reports_the_embedded_broker(settings):
    production_like(settings)
    with celery_broker("filesystem://"):
        out, error = run_check_portal()
    assert error is not None
    assert "CELERY_BROKER_URL is unset: tasks go through the embedded file-system broker" in out


def test_check_portal_as_a_process_exits_non_zero_on_a_fresh_demo_configuration(tmp_path):
    """The command as an operator runs it: an unmigrated database, DEBUG on, no SMTP."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "EMAIL_", "PORTAL_", "CELERY_"))
    }
    environment.update(
        DJANGO_DEBUG="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        CELERY_FILESYSTEM_BROKER_DIR=str(tmp_path / "broker"),
        PORTAL_LOG_FORMAT="console",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check_portal"],
        cwd=django_settings.BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "PROBLEM: DEBUG is on" in result.stdout
    assert "PROBLEM: Unapplied migrations: " in result.stdout
    assert "initiatives.0001_initial" in result.stdout
    assert "problem(s) found" in result.stderr


# --- Backup and restore ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_restores_into_an_empty_database_with_every_row(tmp_path):
    """The README's recipe, run for real: pg_dump -Fc, then pg_restore into a new database."""
    require_postgresql("pg_dump and pg_restore back up PostgreSQL")
    for tool in ("pg_dump", "pg_restore", "createdb", "dropdb"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (PostgreSQL client tools)")
    for n in range(3):
        initiative = InitiativeFactory(name=f"Backed up {n}")
    FlagFactory(initiative=initiative, kind="stalled")
    source = database_url_for_worker()
    target_name = f"crossing_ops_restore_{uuid.uuid4().hex[:8]}"
    target = source.rsplit("/", 1)[0] + "/" + target_name
    dump = tmp_path / "crossing.dump"

    def run(*command: str) -> None:
        result = subprocess.run(  # noqa: S603 (fixed tools, arguments of our own)
            command, capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, f"{command}: {result.stderr}"

    run("pg_dump", "--format=custom", f"--file={dump}", f"--dbname={source}")
    run("createdb", f"--maintenance-db={source}", target_name)
    try:
        run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump))
        import psycopg

        with psycopg.connect(target) as restored, restored.cursor() as cursor:
            cursor.execute("SELECT name FROM initiatives_initiative ORDER BY name")
            names = [row[0] for row in cursor.fetchall()]
            cursor.execute("SELECT count(*) FROM initiatives_flag")
            flags = cursor.fetchone()[0]
            cursor.execute("SELECT count(*) FROM django_migrations")
            migrations = cursor.fetchone()[0]
    finally:
        run("dropdb", f"--maintenance-db={source}", "--if-exists", target_name)
    assert names == sorted(Initiative.objects.values_list("name", flat=True))
    assert names == ["Backed up 0", "Backed up 1", "Backed up 2"]
    assert flags == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        assert migrations == cursor.fetchone()[0]


@pytest.mark.django_db
def test_check_portal_says_when_no_scan_has_ever_finished(settings):
    production_like(settings)
    out, error = run_check_portal()
    assert error is not None
    assert (
        "PROBLEM: No portfolio scan has ever finished: is celery beat running, "
        "and at least one worker?"
    ) in out
