from django.core.management.base import BaseCommand
from django.utils import timezone

from initiatives.health import days
from initiatives.health.services import health_days_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the daily health roll-up from the raw reports for the days whose raw reports "
        "are all kept (the last PORTAL_HEALTH_RAW_DAYS days): the fix when check_portal finds "
        "the roll-up differs from a recount. Older days are left as they are."
    )

    def handle(self, *args, **options):
        since = days.day_of(days.raw_cutoff(timezone.now()))
        written = health_days_rebuild(since=since)
        self.stdout.write(self.style.SUCCESS(f"Rebuilt {written} days from {since:%Y-%m-%d} on."))
