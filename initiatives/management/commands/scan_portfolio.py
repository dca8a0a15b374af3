from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from initiatives.watch.scan import scan_portfolio


def parse_moment(value: str) -> datetime:
    try:
        day = parse_date(value)
        moment = datetime.combine(day, time.max) if day else parse_datetime(value)
        if moment is not None and not timezone.is_aware(moment):
            moment = timezone.make_aware(moment)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or not 1970 <= moment.year <= 2999:
        raise CommandError(
            f"--as-of '{value}' is not a date (YYYY-MM-DD) or a date-time between 1970 and 2999."
        )
    return moment


class Command(BaseCommand):
    help = (
        "Evaluate every flag rule over the whole portfolio, open and resolve flags, and queue "
        "the e-mails they call for. --as-of evaluates today's portfolio as of another moment "
        "(what will be flagged by then?) and only reports; --dry-run prints what would change "
        "and changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="YYYY-MM-DD (end of that day) or an ISO date-time")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, as_of: str | None, dry_run: bool, **options):
        moment = parse_moment(as_of) if as_of else None
        # Flags and e-mails are only ever written as of now: the rules read today's data, so
        # writing them as of another moment would record things that never were.
        report = scan_portfolio(as_of=moment, dry_run=dry_run or moment is not None)
        for line in report.lines():
            self.stdout.write(line)
