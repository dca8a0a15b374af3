"""CSV export of the initiative list: exactly the filtered rows, streamed.

The first columns are the importer's, so an exported file can be edited and imported
again; the rest are read-only facts the importer accepts and ignores.

Every cell goes through `spreadsheet.neutralise`, so no cell runs as a formula.
"""

import csv
from collections.abc import Iterator

from django.db.models import QuerySet
from django.utils import timezone

from initiatives.portfolio.models import Initiative
from initiatives.transfer.parsing import COLUMNS, EXPORT_ONLY_COLUMNS
from initiatives.transfer.spreadsheet import neutralise
from initiatives.watch.selectors import open_flag_count

EXPORT_COLUMNS = (*COLUMNS, *EXPORT_ONLY_COLUMNS)

CHUNK = 2000


def _when(value) -> str:
    """ISO 8601 with the offset and, when there are any, the microseconds: the importer
    reads it back as the same instant, so a re-import neither moves a date nor records a
    new ownership confirmation."""
    if value is None:
        return ""
    return timezone.localtime(value).isoformat()


def _row(i: Initiative, base_url: str) -> list[str]:
    return [
        i.name,
        i.slug,
        i.summary,
        i.business_unit.name,
        i.stage,
        _when(i.stage_entered_at),
        i.sponsor.get_username() if i.sponsor else "",
        i.production_owner.get_username() if i.production_owner else "",
        i.owning_team.name if i.owning_team else "",
        _when(i.owner_confirmed_at),
        i.risk_tier,
        i.target_production_date.isoformat() if i.target_production_date else "",
        i.backup_owner.get_username() if i.backup_owner else "",
        _when(i.owner_accepted_at),
        i.health_status,
        str(i.open_flag_count),
        f"{base_url}{i.get_absolute_url()}",
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(queryset: QuerySet[Initiative], base_url: str) -> Iterator[str]:
    """The header then one line per initiative, read in chunks: memory stays flat and the
    number of queries grows only with the number of chunks."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read the file as UTF-8
    yield writer.writerow(EXPORT_COLUMNS)
    rows = queryset.annotate(open_flag_count=open_flag_count())
    for initiative in rows.iterator(chunk_size=CHUNK):
        yield writer.writerow(neutralise(cell) for cell in _row(initiative, base_url))
