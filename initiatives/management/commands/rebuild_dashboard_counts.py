from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from initiatives.dashboards import standings


class Command(BaseCommand):
    help = (
        "Re-install the dashboards' counter triggers and rebuild every count from scratch "
        '(README "Dashboards at volume"): the fix when check_portal finds the counters differ '
        "from a recount. Writes to initiatives, flags, transitions and classifications wait "
        "while it runs (seconds at 100,000 initiatives). PostgreSQL only."
    )

    def handle(self, *args, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Only PostgreSQL keeps counters; SQLite recounts on every read.")
        standings.install(force=True)
        total = standings.counts()["total"]
        self.stdout.write(
            self.style.SUCCESS(f"Rebuilt the dashboards' counts of {total} initiatives.")
        )
