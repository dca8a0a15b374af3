"""Benchmark: the server time of every dashboard page at several portfolio sizes, each
with its ratio to the smallest. Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crossing_bench \\
        .venv/bin/python benchmarks/pages.py [--sizes 100 10000 100000] [--repeat 15] \\
            [--list-sizes 1000 100000] [--list-only]

For each size the database is migrated, EMPTIED, and seeded with `seed_portfolio` (with
its scan), then each page is requested through the whole Django stack (middleware,
session, templates) with the test client, signed in as a governance reviewer who also owns
systems. The figure is the median server time of `--repeat` requests after one warm-up.
Point DATABASE_URL at a database of its own.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")  # one log line per request otherwise


def empty_database() -> None:
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection

    tables = [
        m._meta.db_table
        for m in apps.get_app_config("initiatives").get_models(include_auto_created=True)
        if not m._meta.proxy
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - model names
    get_user_model().objects.filter(username__startswith="load-").delete()


def pages(slug: str, unit: str) -> dict[str, str]:
    return {
        "portfolio": "/",
        "portfolio, one business unit": f"/?business_unit={unit}",
        # The first read after a value report, case, stage or rate changes (value.cache).
        "portfolio, value figures recomputed": "/",
        "initiative list": "/initiatives/",
        "list, filtered and sorted": (
            "/initiatives/?stage=production&health=healthy&ordering=-stage_entered_at"
        ),
        "list, search": "/initiatives/?q=fraud",
        "list, last page": "/initiatives/?page=last",
        "initiative page": f"/initiatives/{slug}/",
        "my work": "/my-work/",
        "governance queue": "/governance/",
    }


def measure(size: int, repeat: int) -> dict[str, tuple[float, int]]:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from initiatives.core.choices import Stage
    from initiatives.core.permissions import GOVERNANCE_GROUP
    from initiatives.models import Initiative

    empty_database()
    call_command("seed_portfolio", initiatives=size, verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    User = get_user_model()
    # The busiest owner: my work is at its longest for them.
    owner = (
        User.objects.filter(username__startswith="load-")
        .annotate(n=Count("owned_initiatives"))
        .order_by("-n")
        .first()
    )
    owner.groups.add(Group.objects.get_or_create(name=GOVERNANCE_GROUP)[0])
    target = (
        Initiative.objects.filter(stage=Stage.PRODUCTION)
        .annotate(n=Count("health_reports"))
        .order_by("-n")
        .first()
    )
    client = Client()
    client.force_login(owner)
    results = {}
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
    for name, url in pages(target.slug, target.business_unit.name).items():
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        cold = "recomputed" in name
        times = []
        for _ in range(repeat):
            if cold:
                cache.clear()
            start = time.perf_counter()
            client.get(url)
            times.append(time.perf_counter() - start)
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        results[name] = (statistics.median(times) * 1000, len(queries))
    # The export streams every filtered row: it grows with the rows, so it is reported
    # per thousand rows rather than in the ratio.
    start = time.perf_counter()
    body = b"".join(client.get("/initiatives/export.csv").streaming_content)
    rows = body.count(b"\n") - 1
    results[f"CSV export ({rows} rows)"] = ((time.perf_counter() - start) * 1000, 0)
    return results


# The list page's addresses whose database time should not grow with the portfolio: each
# page reads only its own rows (issue 19). The last page's offset, and search (a scan of
# every name), do grow; they are shown for what they cost.
LIST_PAGES = {
    "list, first page": "/initiatives/",
    "list, page 3 by stage": "/initiatives/?ordering=-stage&page=3",
    "list, by days in stage": "/initiatives/?ordering=-days_in_stage&page=2",
    "list, filtered by stage": "/initiatives/?stage=pilot&ordering=name",
    "list, search": "/initiatives/?q=fraud",
    "list, last page": "/initiatives/?page=last",
}


def list_database_time(size: int, repeat: int) -> dict[str, tuple[float, float]]:
    """The list page's database time (the sum of its queries' times, median of `repeat`
    requests) and its server time, for a portfolio of `size` seeded without health
    reports (the list reads none)."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    empty_database()
    call_command(
        "seed_portfolio",
        initiatives=size,
        health_days=1,
        verbosity=0,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")  # what autovacuum does soon after a bulk load
    client = Client()
    people = get_user_model().objects.filter(username__startswith="load-", is_active=True)
    client.force_login(people.order_by("pk").first())
    results = {}
    for name, url in LIST_PAGES.items():
        client.get(url)  # warm up
        database, server = [], []
        for _ in range(repeat):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                response = client.get(url)
                server.append(time.perf_counter() - start)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")
            database.append(sum(float(q["time"]) for q in queries))
        results[name] = (statistics.median(database) * 1000, statistics.median(server) * 1000)
    return results


def print_list_database_time(sizes: list[int], repeat: int) -> None:
    small, large = sizes
    before, after = list_database_time(small, repeat), list_database_time(large, repeat)
    print(f"\nthe list page's database time (server time), median of {repeat} requests")
    print(f"{'page':34} {small:>18,} {large:>18,}  ratio")
    for name, (db_small, t_small) in before.items():
        db_large, t_large = after[name]
        print(
            f"{name:34} {db_small:6.1f}ms ({t_small:6.1f}) {db_large:6.1f}ms ({t_large:6.1f})"
            f"  {db_large / db_small:4.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--list-sizes", type=int, nargs=2, default=[1_000, 100_000])
    parser.add_argument("--list-only", action="store_true", help="only the list's database time")
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # production static files
    if args.list_only:
        print_list_database_time(args.list_sizes, args.repeat)
        return
    measured = {size: measure(size, args.repeat) for size in args.sizes}
    smallest = args.sizes[0]
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"median server time of {args.repeat} requests, test client, whole Django stack")
    print(
        f"{'page':34} "
        + " ".join(f"{size:>9,}" for size in args.sizes)
        + "  "
        + " ".join(f"{f'×{size:,}':>8}" for size in args.sizes[1:])
        + "  queries"
    )
    for name in measured[smallest]:
        if name.startswith("CSV"):
            continue
        times = [measured[size][name][0] for size in args.sizes]
        queries = [str(measured[size][name][1]) for size in args.sizes]
        print(
            f"{name:34} "
            + " ".join(f"{t:7.1f}ms" for t in times)
            + "  "
            + " ".join(f"{t / times[0]:8.2f}" for t in times[1:])
            + "  "
            + (queries[0] if len(set(queries)) == 1 else " → ".join(queries))
        )
    for size in args.sizes:
        for name, (t, _) in measured[size].items():
            if name.startswith("CSV"):
                print(f"CSV export at {size:,}: {t:7.1f}ms ({name})")

    print_list_database_time(args.list_sizes, args.repeat)


if __name__ == "__main__":
    main()
