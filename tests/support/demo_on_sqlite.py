"""`make run`'s path on SQLite, in a process of its own (tests/portal/test_demo.py): migrate
a new database, seed the demo, scan it, then sign in as the README's person and read the
pages people start from. Prints one line per page and the portfolio's numbers; exits
non-zero when a page does not answer 200.

    DATABASE_URL=sqlite:///... DJANGO_DEBUG=1 python tests/support/demo_on_sqlite.py
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")


def main() -> int:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from initiatives.dashboards.summary import portfolio_summary
    from initiatives.models import Initiative

    assert connection.vendor == "sqlite", connection.vendor
    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)
    call_command("scan_portfolio", verbosity=0)
    client = Client()
    client.force_login(get_user_model().objects.get(username="demo"))
    production = Initiative.objects.filter(stage="production").order_by("pk").first()
    failed = 0
    for url in (
        "/",
        f"/?business_unit={production.business_unit.name}",
        "/initiatives/",
        "/initiatives/?ordering=-stage&attention=true",
        "/governance/",
        "/my-work/",
        production.get_absolute_url(),
        "/api/v1/portfolio/",
    ):
        status = client.get(url).status_code
        failed += status != 200
        print(f"{status} {url}")
    summary = portfolio_summary()
    print(
        f"total {summary.total} attention {summary.attention_total} named {len(summary.attention)}"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
