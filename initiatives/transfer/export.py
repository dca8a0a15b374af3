"""CSV exports of the initiative list: exactly the filtered rows, streamed, in two layouts.

- For people (the list page's CSV link, `csv_lines_for_people`): names rather than
  usernames or ids, stage and risk labels, ISO dates without microseconds, and the money
  columns of each initiative's current business case (approved, else latest) with its
  currency. A fixed number of queries for any number of rows.
- For the importer (`csv_lines`, linked from the import page): the importer's columns
  first, so an exported file can be edited and imported again; the rest are read-only facts
  the importer accepts and ignores. Dates keep their microseconds so a re-import changes
  nothing.

Machines read the API, not either file. Every cell goes through `spreadsheet.neutralise`,
so no cell runs as a formula.
"""

import csv
from collections.abc import Iterable, Iterator
from itertools import islice

from django.db.models import QuerySet
from django.utils import timezone

from initiatives.business_cases.selectors import current_cases
from initiatives.core import formats
from initiatives.core.choices import HealthStatus, RiskTier, Stage
from initiatives.core.people import display_name
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


# The file for people: a header a person reads, in the order they read it.
PEOPLE_COLUMNS = (
    "Name",
    "Summary",
    "Business unit",
    "Stage",
    "In stage since",
    "Risk tier",
    "Sponsor",
    "Production owner",
    "Backup owner",
    "Owning team",
    "Owner last confirmed",
    "Target production date",
    "Health",
    "Open flags",
    "Business case version",
    "Business case status",
    "Currency",
    "Total annual benefit",
    "Annual run cost",
    "Net annual benefit",
    "Build cost (one-time)",
    "Three-year ROI",
    "Link",
)


def _name(user) -> str:
    return display_name(user, empty="")


def _amount(value) -> str:
    """Whole currency units, no separators: a number a spreadsheet can add up."""
    return "" if value is None else formats.number(value).replace(",", "")


def _label(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def _row_for_people(i: Initiative, case, base_url: str) -> list[str]:
    figures = case.figures if case is not None else None
    return [
        i.name,
        i.summary,
        i.business_unit.name,
        _label(Stage, i.stage),
        formats.iso(timezone.localtime(i.stage_entered_at)) if i.stage_entered_at else "",
        _label(RiskTier, i.risk_tier) if i.risk_tier else "",
        _name(i.sponsor),
        _name(i.production_owner),
        _name(i.backup_owner),
        i.owning_team.name if i.owning_team else "",
        formats.iso(timezone.localtime(i.owner_confirmed_at)) if i.owner_confirmed_at else "",
        formats.iso(i.target_production_date),
        _label(HealthStatus, i.health_status) if i.health_status else "",
        str(i.open_flag_count),
        str(case.version) if case else "",
        case.get_status_display() if case else "",
        case.currency if case else "",
        _amount(figures.total_annual_benefit) if figures else "",
        _amount(figures.annual_run_cost) if figures else "",
        _amount(figures.net_annual_benefit) if figures else "",
        _amount(case.build_cost) if case else "",
        formats.percent(figures.roi_3y, empty="") if figures else "",
        f"{base_url}{i.get_absolute_url()}",
    ]


def _batches(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def csv_lines_for_people(queryset: QuerySet[Initiative], base_url: str) -> Iterator[str]:
    """The header then one line per initiative, for a person opening it in a spreadsheet.
    Two queries per CHUNK rows (the initiatives, then their current business cases)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs read the file as UTF-8
    yield writer.writerow(PEOPLE_COLUMNS)
    rows = queryset.annotate(open_flag_count=open_flag_count())
    for chunk in _batches(rows.iterator(chunk_size=CHUNK), CHUNK):
        cases = current_cases([i.pk for i in chunk])
        for initiative in chunk:
            cells = _row_for_people(initiative, cases.get(initiative.pk), base_url)
            yield writer.writerow(neutralise(cell) for cell in cells)
