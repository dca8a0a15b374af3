"""Benchmark: health-report ingestion and the 90-day read, at each table size. Prints
figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crossing_bench \\
        .venv/bin/python benchmarks/health.py [--reports 1000000,10000000] [--batches 20]

At each size the table is filled with set-based SQL (INSERT ... SELECT generate_series),
the daily roll-up is built from it as the data migration builds it, and the 90-day chart
and the status of one initiative (a year of hourly reports) are timed: they read the
roll-up, so they should take as long at ten million reports as at one million.

PostgreSQL only. The database is migrated and EMPTIED first: point DATABASE_URL at a
database of its own (10,000,000 reports take about 3 GB of disk with their indexes).
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # one log line per request otherwise
os.environ["API_THROTTLE_HEALTH_PUSH"] = "off"  # measure ingestion, not the rate limit
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reports",
        default="1000000,10000000",
        help="Table sizes, comma-separated (default 1000000,10000000).",
    )
    parser.add_argument("--batches", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    from initiatives.health import status as health_status
    from initiatives.health.services import health_days_rebuild
    from initiatives.models import BusinessUnit, HealthDay, HealthReporterGrant, Initiative

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL).")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE initiatives_healthreport, initiatives_healthday")
    Initiative.history.all().delete()
    Initiative.objects.all().delete()
    User = get_user_model()
    User.objects.filter(username="bench-bot").delete()

    unit = BusinessUnit.objects.get_or_create(name="Bench")[0]
    initiatives = Initiative.objects.bulk_create(
        [
            Initiative(
                name=f"System {i}", slug=f"system-{i}", business_unit=unit, stage="production"
            )
            for i in range(2000)
        ]
    )
    target = initiatives[0]
    bot = User.objects.create(username="bench-bot")
    HealthReporterGrant.objects.create(user=bot, initiative=initiatives[1])
    _, token = AuthToken.objects.create(user=bot)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    url = f"/api/v1/initiatives/{initiatives[1].slug}/health/reports/"

    for size in (int(n) for n in args.reports.split(",")):
        print(f"--- {size:,} reports ---")
        fill(connection, initiatives, target, size)
        began = time.perf_counter()
        health_days_rebuild()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE initiatives_healthday")
        print(
            f"roll-up built from the table (set-based, as the data migration): "
            f"{HealthDay.objects.count():,} days in {time.perf_counter() - began:.1f} s"
        )
        push(client, url, args.batches)
        read(health_status, target, "one initiative (a year of hourly reports)")
        busy = initiatives[2]
        dense(connection, busy, size // 10)
        read(health_status, busy, f"a busy system ({size // 10:,} reports in 90 days)")


def fill(connection, initiatives, target, size: int) -> None:
    """Empty the tables and fill the reports table with `size` hourly reports: a year's for
    the target, the rest spread over the other initiatives. Set-based SQL."""
    from initiatives.models import HealthReport

    year = 24 * 365  # the target has a year of hourly reports
    others = -(-max(0, size - year) // (len(initiatives) - 1))  # rounded up
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE initiatives_healthreport, initiatives_healthday")
        for initiative, count in ((target, year), (None, others)):
            where = "id = %s" if initiative else "id <> %s"
            cursor.execute(
                f"""
                INSERT INTO initiatives_healthreport
                    (initiative_id, observed_at, availability, latency_p95_ms, error_rate,
                     data_freshness_hours, data_quality_pass_rate, eval_score, notes, received_at)
                SELECT i.id, now() - make_interval(hours => g), 99.5 + random() * 0.5,
                       200 + random() * 300, random() * 0.01, random() * 10,
                       0.98 + random() * 0.02, 0.85 + random() * 0.05, '', now()
                FROM initiatives_initiative i CROSS JOIN generate_series(1, %s) g
                WHERE i.{where}
                """,  # noqa: S608 - no user input: the WHERE is one of two constants
                [count, target.pk],
            )
        cursor.execute("ANALYZE initiatives_healthreport")
    total = HealthReport.objects.count()
    print(
        f"table: {total:,} reports over {len(initiatives):,} initiatives "
        f"(filled in {time.perf_counter() - start:.1f} s)"
    )


def dense(connection, initiative, count: int) -> None:
    """Give `initiative` `count` reports evenly over the last 90 days (a system pushing every
    few seconds), in place of its own, and roll them up."""
    from initiatives.health.services import health_days_rebuild

    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM initiatives_healthreport WHERE initiative_id = %s", [initiative.pk]
        )
        cursor.execute(
            """
            INSERT INTO initiatives_healthreport
                (initiative_id, observed_at, availability, latency_p95_ms, error_rate,
                 data_freshness_hours, data_quality_pass_rate, eval_score, notes, received_at)
            SELECT %s, now() - make_interval(secs => g * (90 * 86400.0 / %s)),
                   99.5 + random() * 0.5, 200 + random() * 300, random() * 0.01,
                   random() * 10, 0.98 + random() * 0.02, 0.85 + random() * 0.05, '', now()
            FROM generate_series(1, %s) g
            """,
            [initiative.pk, count, count],
        )
        cursor.execute("ANALYZE initiatives_healthreport")
    health_days_rebuild(initiative_ids=[initiative.pk])


def push(client, url: str, batches: int) -> None:
    """Push `batches` batches of 500 reports over the API; print the rate."""
    from django.utils import timezone

    base = timezone.now() + timedelta(minutes=1) - timedelta(days=400)
    timings = []
    for batch in range(batches):
        payload = [
            {
                "observed_at": (base + timedelta(seconds=batch * 500 + n)).isoformat(),
                "availability": 99.9,
                "latency_p95_ms": 250,
                "error_rate": 0.001,
                "eval_score": 0.9,
            }
            for n in range(500)
        ]
        began = time.perf_counter()
        response = client.post(url, payload, format="json")
        timings.append(time.perf_counter() - began)
        if response.status_code != 201:
            sys.exit(f"The push failed: {response.status_code} {response.content[:500]!r}")
    rate = 500 * batches / sum(timings)
    print(
        f"ingestion over the API (in-process, validation and roll-up included), batches of "
        f"500: {rate:,.0f} reports/s (median batch {statistics.median(timings) * 1000:.0f} ms)"
    )


def read(health_status, target, who: str) -> None:
    """Time the 90-day chart's series and the status of `target`, 30 times each."""
    reads, states = [], []
    for _ in range(30):
        began = time.perf_counter()
        rows = health_status.series(target, days=90)
        reads.append(time.perf_counter() - began)
        began = time.perf_counter()
        health_status.health_of(target)
        states.append(time.perf_counter() - began)
    print(
        f"90-day chart of {who}, {len(rows)} daily rows: median "
        f"{statistics.median(reads) * 1000:.1f} ms, max {max(reads) * 1000:.1f} ms"
    )
    print(
        f"status of {who} (latest values and baseline): median "
        f"{statistics.median(states) * 1000:.1f} ms, max {max(states) * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
