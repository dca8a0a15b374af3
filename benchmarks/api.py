"""Benchmark: the initiatives list endpoint against a plain Django view of the same page.
Prints figures; asserts nothing.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crossing_bench \\
        .venv/bin/python benchmarks/api.py [--sizes 10000 100000] [--requests 400]

Both are served the same way, in one run: in-process through Django's test client, so
through the whole middleware stack, each request authenticated by the same knox token
(hashed, looked up per request). The plain view builds the same JSON page (the same fields,
50 rows, count and links) from `.values()` on the same queryset, read the same way (the
page's ids first, then those rows: `core.paging`); the API view is the DRF viewset with its
serializer, filterset, ordering and pagination. Each size is a column: the ratio should
not move with the portfolio's size, nor a page's time much. Throttling is off for
both (a policy, not a cost of rendering). Requests alternate between the two, over random
pages, so drift in the machine's load hits both alike.

PostgreSQL only. The database is migrated and EMPTIED first: give it a database of its own.
"""

import argparse
import os
import random
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
os.environ["API_THROTTLE_USER"] = "off"
os.environ["API_THROTTLE_ANON"] = "off"

PAGE = 50
PLAIN_PATH = "/bench/plain-initiatives/"
urlpatterns = []  # filled in main(): portal's URLs plus the plain view


def person(row: dict, prefix: str) -> dict | None:
    if row[f"{prefix}__username"] is None:
        return None
    name = f"{row[f'{prefix}__first_name']} {row[f'{prefix}__last_name']}".strip()
    return {"username": row[f"{prefix}__username"], "name": name or row[f"{prefix}__username"]}


def plain_view(request):
    """The same page as GET /api/v1/initiatives/, from .values() on the same queryset."""
    from django.core.paginator import Paginator
    from django.http import JsonResponse
    from rest_framework.exceptions import AuthenticationFailed

    from initiatives.api.authentication import TokenAuthentication
    from initiatives.core.paging import DeferredJoin
    from initiatives.portfolio import selectors

    try:
        found = TokenAuthentication().authenticate(request)
    except AuthenticationFailed:
        found = None
    if found is None:
        return JsonResponse({"detail": "Authentication credentials were not provided."}, status=401)
    # The same columns as the API list reads, plus the owner's id for ownership_pending.
    rows = (
        selectors.initiative_list()
        .order_by("name", "pk")
        .values(*selectors.API_LIST_COLUMNS, "production_owner_id")
    )
    page = Paginator(DeferredJoin(rows), PAGE).get_page(request.GET.get("page"))
    base = request.build_absolute_uri("/api/v1/initiatives/")
    results = [
        {
            "url": f"{base}{row['slug']}/",
            "slug": row["slug"],
            "name": row["name"],
            "summary": row["summary"],
            "business_unit": row["business_unit__name"],
            "sponsor": person(row, "sponsor"),
            "risk_tier": row["risk_tier"],
            "stage": row["stage"],
            "stage_entered_at": row["stage_entered_at"],
            "target_production_date": row["target_production_date"],
            "production_owner": person(row, "production_owner"),
            "ownership_pending": row["production_owner_id"] is not None
            and row["owner_accepted_at"] is None,
            "owner_accepted_at": row["owner_accepted_at"],
            "owner_confirmed_at": row["owner_confirmed_at"],
            "owning_team": row["owning_team__name"],
            "backup_owner": person(row, "backup_owner"),
            "health_status": row["health_status"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
        }
        for row in page.object_list
    ]
    return JsonResponse(
        {
            "count": page.paginator.count,
            "next": f"{base}?page={page.next_page_number()}" if page.has_next() else None,
            "previous": f"{base}?page={page.previous_page_number()}"
            if page.has_previous()
            else None,
            "results": results,
        }
    )


def same_page(drf: dict, plain: dict, count: int) -> bool:
    """The same rows with the same values; date-times to the second (Django's encoder
    writes milliseconds, DRF's microseconds)."""

    def comparable(row: dict) -> dict:
        return {k: v[:19] if k.endswith("_at") and v else v for k, v in row.items()}

    return (
        drf["count"] == plain["count"] == count
        and len(drf["results"]) == PAGE
        and [comparable(r) for r in drf["results"]] == [comparable(r) for r in plain["results"]]
    )


def arrange(count: int) -> str:
    """`count` initiatives over 12 business units, with sponsors, owners and teams; returns
    a token of a signed-in viewer."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone
    from knox.models import AuthToken

    from initiatives.models import BusinessUnit, Initiative, Team

    call_command("migrate", verbosity=0)
    Initiative.history.all().delete()
    Initiative.objects.all().delete()
    User = get_user_model()
    User.objects.filter(username__startswith="bench-").delete()
    units = [BusinessUnit.objects.get_or_create(name=f"Bench unit {i}")[0] for i in range(12)]
    teams = [Team.objects.get_or_create(name=f"Bench team {i}")[0] for i in range(30)]
    people = User.objects.bulk_create(
        [
            User(username=f"bench-{i}", first_name=f"First{i}", last_name=f"Last{i}")
            for i in range(200)
        ]
    )
    now = timezone.now()
    rng = random.Random(8)
    stages = ["idea", "poc", "pilot", "production", "retired", "cancelled"]
    owners = [rng.randrange(len(people)) for _ in range(count)]
    Initiative.objects.bulk_create(
        [
            Initiative(
                name=f"Initiative {i:05d}",
                slug=f"initiative-{i:05d}",
                summary="Scores something for somebody, daily.",
                business_unit=rng.choice(units),
                stage=rng.choice(stages),
                stage_entered_at=now,
                risk_tier=rng.choice(["low", "medium", "high"]),
                sponsor=rng.choice(people),
                production_owner=people[owners[i]] if i % 2 else None,
                owner_accepted_at=now if i % 4 == 1 else None,
                owner_confirmed_at=now if i % 4 == 1 else None,
                owning_team=rng.choice(teams) if i % 2 else None,
                backup_owner=people[(owners[i] + 1) % len(people)] if i % 3 == 0 else None,
            )
            for i in range(count)
        ],
        batch_size=2000,
    )
    viewer = User.objects.create(username="bench-viewer")
    _, token = AuthToken.objects.create(user=viewer)
    return token


def measure(client, size: int, requests: int) -> dict[str, list[float]]:
    """Seconds per request of each view, over random pages of `size` initiatives."""
    token = arrange(size)
    client.defaults["HTTP_AUTHORIZATION"] = f"Token {token}"
    pages = -(-size // PAGE)
    paths = {
        "DRF": "/api/v1/initiatives/?ordering=name&page_size=50&page={}",
        "plain": PLAIN_PATH + "?page={}",
    }
    # Same page, same content (apart from how each encoder writes a date-time).
    drf, plain = (client.get(p.format(7)).json() for p in paths.values())
    if not same_page(drf, plain, size):
        sys.exit(f"The two views differ:\n{drf['results'][0]}\n{plain['results'][0]}")
    for _ in range(30):  # warm up both
        for p in paths.values():
            client.get(p.format(random.randint(1, pages)))
    seconds = {name: [] for name in paths}
    rng = random.Random(1)
    for _ in range(requests):
        page = rng.randint(1, pages)
        for name, p in paths.items():
            began = time.perf_counter()
            response = client.get(p.format(page))
            seconds[name].append(time.perf_counter() - began)
            if response.status_code != 200:
                sys.exit(f"{name}: {response.status_code} {response.content[:300]!r}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--requests", type=int, default=400, help="per view and size")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings
    from django.urls import include, path

    if connection.vendor != "postgresql":
        sys.exit("This benchmark needs PostgreSQL (DATABASE_URL).")
    from django.contrib.auth.decorators import login_not_required

    # Exempt from the sign-in redirect as the API views are: it authenticates by token itself.
    plain = login_not_required(plain_view)
    urlpatterns[:] = [path(PLAIN_PATH.strip("/") + "/", plain), path("", include("portal.urls"))]

    client = Client()
    with override_settings(ROOT_URLCONF=__name__):
        results = {size: measure(client, size, args.requests) for size in args.sizes}
    print(f"{args.requests} requests per view and size, random pages of {PAGE}, PostgreSQL,")
    print("token auth, in-process (median and p95 per request)")
    print(f"{'initiatives':>12} {'DRF':>22} {'plain':>22}  API at")
    for size, seconds in results.items():
        rate = {name: len(t) / sum(t) for name, t in seconds.items()}
        cells = [
            f"{statistics.median(t) * 1000:6.2f} ms (p95 {p95 * 1000:6.2f})"
            for t in seconds.values()
            for p95 in [sorted(t)[int(len(t) * 0.95)]]
        ]
        print(f"{size:>12,} {cells[0]:>22} {cells[1]:>22}  {rate['DRF'] / rate['plain']:.0%}")


if __name__ == "__main__":
    main()
