from django.core.management.base import BaseCommand, CommandError

from ops.configuration import PROBLEM, findings


class Command(BaseCommand):
    help = (
        "Report configuration mistakes in plain words (no SMTP host, PORTAL_BASE_URL unset, "
        "beat not running, broker unreachable, DEBUG on, ...). Exits non-zero on any problem."
    )

    def handle(self, *args, **options):
        found = findings()
        for finding in found:
            label = "PROBLEM" if finding.level == PROBLEM else "warning"
            style = self.style.ERROR if finding.level == PROBLEM else self.style.WARNING
            self.stdout.write(style(f"{label}: {finding.message}"))
        problems = sum(1 for finding in found if finding.level == PROBLEM)
        if problems:
            raise CommandError(f"{problems} problem(s) found; see above.")
        warnings = len(found)
        self.stdout.write(self.style.SUCCESS(f"No problems found ({warnings} warning(s))."))
