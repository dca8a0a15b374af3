"""Prepare the load test's database (`make loadtest`, README "Load test"): migrate, seed the
portfolio once, and write the simulated clients' credentials to a JSON file.

    DATABASE_URL=... python loadtest/prepare.py --initiatives 100000 --out run/fixture.json

The portfolio is seeded with `seed_portfolio` only when the database does not already hold
exactly `--initiatives` seeded initiatives (slugs `load-*`); otherwise it is reused, so a
second run starts in seconds. A database with another portfolio is EMPTIED first: point
DATABASE_URL at a database of its own. Each run sets the people's password, and creates
fresh API tokens (with `create_api_token`) and health-reporter grants
(`grant_health_reporting`) for its clients.
"""

import argparse
import io
import json
import os
import secrets
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

PEOPLE = 50  # browsing people: load-1 … load-50 (every fifth a governance reviewer)
API_CLIENTS = 10
SYSTEMS = 20  # production systems pushing health


def _empty_database() -> None:
    """Every table of the portal's data (as `benchmarks/pages.py` empties it)."""
    from django.apps import apps
    from django.contrib.auth import get_user_model
    from django.db import connection

    tables = [
        m._meta.db_table
        for m in apps.get_app_config("initiatives").get_models(include_auto_created=True)
        if not m._meta.proxy
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    get_user_model().objects.filter(username__startswith="load").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--initiatives", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from knox.models import AuthToken

    from initiatives.core.choices import Stage
    from initiatives.core.permissions import GOVERNANCE_GROUP
    from initiatives.models import BusinessUnit, Initiative

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    seeded = Initiative.objects.filter(slug__startswith="load-").count()
    if seeded == args.initiatives and Initiative.objects.count() == seeded:
        print(f"reusing the seeded portfolio: {seeded:,} initiatives")
    else:
        print(f"seeding {args.initiatives:,} initiatives (found {seeded:,}) …", flush=True)
        began = time.perf_counter()
        _empty_database()
        call_command("seed_portfolio", initiatives=args.initiatives, stdout=io.StringIO())
        print(f"seeded in {time.perf_counter() - began:.0f} s")

    User = get_user_model()
    password = secrets.token_urlsafe(16)
    governance = Group.objects.get_or_create(name=GOVERNANCE_GROUP)[0]
    people = []
    for i in range(1, PEOPLE + 1):
        person = User.objects.get(username=f"load-{i}")
        person.is_active = True
        person.set_password(password)
        person.save()
        reviewer = i % 5 == 0
        if reviewer:
            person.groups.add(governance)
        people.append({"username": person.username, "password": password, "reviewer": reviewer})

    def token_for(username: str, name: str) -> str:
        AuthToken.objects.filter(user__username=username).delete()  # last run's
        out = io.StringIO()
        call_command("create_api_token", username, name=name, stdout=out, stderr=io.StringIO())
        return out.getvalue().strip().splitlines()[-1]

    api_clients = []
    for i in range(API_CLIENTS):
        username = f"loadtest-api-{i}"
        User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.com"})
        api_clients.append({"token": token_for(username, "load test reader")})

    production = list(
        Initiative.objects.filter(stage=Stage.PRODUCTION, slug__startswith="load-")
        .order_by("pk")
        .values_list("slug", flat=True)[:SYSTEMS]
    )
    systems = []
    for i, slug in enumerate(production):
        username = f"loadtest-system-{i}"
        call_command("grant_health_reporting", username, slug, create=True, stdout=io.StringIO())
        systems.append({"slug": slug, "token": token_for(username, "load test health push")})

    slugs = list(
        Initiative.objects.filter(slug__startswith="load-")
        .order_by("?")
        .values_list("slug", flat=True)[:500]
    )
    fixture = {
        "people": people,
        "api_clients": api_clients,
        "systems": systems,
        "slugs": slugs,
        "business_units": list(BusinessUnit.objects.values_list("name", flat=True)),
        "initiatives": Initiative.objects.count(),
    }
    args.out.write_text(json.dumps(fixture))
    print(
        f"{len(people)} people, {len(api_clients)} API clients, {len(systems)} systems "
        f"pushing health: {args.out}"
    )


if __name__ == "__main__":
    main()
