"""Benchmark: the portfolio scan over a large portfolio. Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crossing_bench \\
        .venv/bin/python benchmarks/scan.py [--initiatives 10000] [--repeat 3]

The database is migrated and EMPTIED first: point DATABASE_URL at a database of its own.
E-mails are recorded but not sent (the send tasks are not queued).
"""

import argparse
import os
import random
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from initiatives.core.choices import Stage
    from initiatives.models import BusinessUnit, EmailRecord, Flag, Initiative, ScanRun
    from initiatives.outbox import sending
    from initiatives.watch import scan

    sending.enqueue_after_commit = lambda task, *a: None  # measure the scan, not the broker
    call_command("migrate", verbosity=0)
    for model in (EmailRecord, Flag, ScanRun, Initiative, BusinessUnit):
        if hasattr(model, "history"):
            model.history.all().delete()
        model.objects.all().delete()
    User = get_user_model()
    User.objects.filter(username__startswith="bench-").delete()

    rng = random.Random(1)
    now = timezone.now()
    people = User.objects.bulk_create(
        [
            User(username=f"bench-{i}", email=f"bench-{i}@example.com", is_active=i % 50 != 0)
            for i in range(500)
        ]
    )
    units = BusinessUnit.objects.bulk_create([BusinessUnit(name=f"Unit {i}") for i in range(12)])
    stages = [Stage.IDEA, Stage.POC, Stage.POC, Stage.PILOT, Stage.PRODUCTION, Stage.PRODUCTION]
    batch = []
    for i in range(args.initiatives):
        stage = rng.choice(stages)
        owner = rng.choice(people) if stage in (Stage.PILOT, Stage.PRODUCTION) and i % 7 else None
        batch.append(
            Initiative(
                name=f"Initiative {i}",
                slug=f"bench-{i}",
                business_unit=rng.choice(units),
                sponsor=rng.choice(people),
                stage=stage,
                stage_entered_at=now - timedelta(days=rng.randint(1, 400)),
                production_owner=owner,
                owner_accepted_at=now - timedelta(days=400) if owner else None,
                owner_confirmed_at=now - timedelta(days=rng.randint(1, 200)) if owner else None,
            )
        )
    Initiative.objects.bulk_create(batch, batch_size=2000)

    def timed_scan() -> tuple[float, int, scan.ScanReport]:
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            report = scan.scan_portfolio()
            elapsed = time.perf_counter() - start
        return elapsed, len(queries), report

    first, first_queries, report = timed_scan()
    steady = [timed_scan() for _ in range(args.repeat)]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"portfolio: {args.initiatives} initiatives, {len(people)} people")
    print(
        f"first scan: {first:.2f} s, {first_queries} queries, {len(report.opened)} flags opened, "
        f"{report.emails_queued} e-mails recorded"
    )
    print(
        f"steady scan (nothing changes), median of {args.repeat}: "
        f"{statistics.median(t for t, _, _ in steady):.2f} s, {steady[0][1]} queries"
    )


if __name__ == "__main__":
    main()
