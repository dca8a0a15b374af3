from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from initiatives.core import permissions
from initiatives.transfer.importer import import_initiatives
from initiatives.transfer.parsing import COLUMNS, ImportFailed


class Command(BaseCommand):
    help = (
        "Import initiatives from a CSV file, as an administrator (--as USERNAME, a superuser, "
        "whom the history names as the author). The whole file is validated first; on any "
        "error nothing is imported. Rows are matched on slug, so a re-import updates. "
        "Columns: " + ", ".join(COLUMNS)
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--as",
            dest="as_user",
            required=True,
            help="the administrator (superuser) recorded as the author of the changes",
        )

    def handle(self, *args, file: Path, as_user: str, **options):
        # An import records owners as having accepted, so it is an administrator's act, and
        # the history names who did it.
        actor = get_user_model().objects.filter(username=as_user).first()
        if actor is None:
            raise CommandError(f"No user '{as_user}'.")
        if not permissions.can_import(actor):
            raise CommandError(
                f"'{as_user}' may not import: only an active administrator (superuser) may."
            )
        if not file.is_file():
            raise CommandError(f"{file}: no such file.")
        if file.stat().st_size > settings.PORTAL_IMPORT_MAX_BYTES:
            raise CommandError(
                f"{file} is larger than PORTAL_IMPORT_MAX_BYTES "
                f"({settings.PORTAL_IMPORT_MAX_BYTES} bytes)."
            )
        try:
            result = import_initiatives(file.read_bytes(), actor=actor, source=file.name)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(f"{file.name}: {error}")
            raise CommandError(
                f"Nothing was imported: {len(failure.errors)} problem(s) in {file.name}."
            ) from failure
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
