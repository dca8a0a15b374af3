"""Loading an existing inventory from CSV (README "Import").

The whole file is validated first; any error is reported by row and column and nothing is
written. Rows are matched on `slug`, so importing the same file again updates, never
duplicates. Historical dates (`stage_entered_at`, `owner_confirmed_at`) are kept as given.
"""

from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.core.choices import EventKind, RiskTier
from initiatives.core.writes import initiative_event_create
from initiatives.core.writes import save as _save
from initiatives.ownership.services import handover_import
from initiatives.portfolio.models import (
    BusinessUnit,
    Initiative,
    Team,
)
from initiatives.portfolio.services import initiative_transition
from initiatives.transfer.parsing import COLUMNS, ImportFailed, RowError, parse

User = get_user_model()


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    slugs: list[str] = field(default_factory=list)


def _as_aware(value):
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    return timezone.make_aware(datetime.combine(value, time.min))


@transaction.atomic
def import_initiatives(
    content: bytes | str,
    *,
    actor: User | None = None,
    source: str = "import",
    max_rows: int | None = None,
) -> ImportResult:
    """Validate the whole file, then create or update every row in one transaction.

    The import records an inventory as it is: it applies no stage gates (the scan then
    flags what is missing). On a re-import only the columns in the file are changed.
    """
    rows = parse(content, max_rows=max_rows)
    result = ImportResult()
    units = {u.name.lower(): u for u in BusinessUnit.objects.all()}
    teams = {t.name.lower(): t for t in Team.objects.all()}
    # Locked up front, in one order, as every service locks an initiative before its handovers.
    existing = {
        i.slug: i
        for i in Initiative.objects.select_for_update(of=("self",))
        .filter(slug__in=[d["slug"] for _, d in rows])
        .order_by("pk")
    }
    now = timezone.now()
    errors: list[RowError] = []
    for line, data in rows:
        try:
            outcome = _import_row(data, existing, units, teams, actor, source, now)
        except ValidationError as error:
            # A rule only the database state can check (e.g. the backup owner named as owner).
            for field, messages in error.message_dict.items():
                column = field if field in COLUMNS else ""
                errors.extend(RowError(line, column, message) for message in messages)
            continue
        result.slugs.append(data["slug"])
        if outcome == "unchanged":
            result.unchanged += 1
            continue
        initiative_event_create(
            initiative=existing[data["slug"]],
            actor=actor,
            kind=EventKind.IMPORTED,
            outcome=outcome,
            source=source,
        )
        result.created += outcome == "created"
        result.updated += outcome == "updated"
    if errors:
        raise ImportFailed(errors)  # rolls back every row written so far
    return result


# What a row can change on an existing initiative, compared to decide whether it did.
TRACKED = (
    "name",
    "business_unit_id",
    "summary",
    "sponsor_id",
    "target_production_date",
    "risk_tier",
    "owning_team_id",
    "stage",
    "stage_entered_at",
    "production_owner_id",
    "owner_accepted_at",
    "owner_confirmed_at",
)


OWNER_FIELDS = ("production_owner", "owner_accepted_at", "owner_confirmed_at")


def _import_row(data: dict, existing: dict, units: dict, teams: dict, actor, source, now) -> str:
    """Create or update one initiative from a validated row: "created", "updated", or
    "unchanged" (nothing saved, so no history row says it was)."""
    reason = f"Imported from {source}"
    unit_key = data["business_unit"].lower()
    if unit_key not in units:
        # Through the validated save, so the history names who imported and from which file.
        units[unit_key] = BusinessUnit(name=data["business_unit"])
        _save(units[unit_key], actor, reason)
    team = None
    if data["owning_team"]:
        team_key = data["owning_team"].lower()
        if team_key not in teams:
            teams[team_key] = Team(name=data["owning_team"])
            _save(teams[team_key], actor, reason)
        team = teams[team_key]
    initiative = existing.get(data["slug"])
    created = initiative is None
    if created:
        initiative = Initiative(slug=data["slug"], stage=data["stage"])
    before = {f: getattr(initiative, f) for f in TRACKED}
    stage_entered_at = _as_aware(data["stage_entered_at"])
    initiative.name = data["name"]
    initiative.business_unit = units[unit_key]
    # Columns the file does not have are left as they are.
    present = data["_columns"]
    for column in ("summary", "sponsor", "target_production_date"):
        if column in present or created:
            setattr(initiative, column, data[column])
    if "risk_tier" in present or created:
        initiative.risk_tier = data["risk_tier"] or initiative.risk_tier or RiskTier.MEDIUM
    if team is not None:
        initiative.owning_team = team
    if created:
        initiative.stage_entered_at = stage_entered_at or now
    elif stage_entered_at is not None and initiative.stage == data["stage"]:
        initiative.stage_entered_at = stage_entered_at
    if created or _changed(initiative, before):
        _save(initiative, actor, reason)
    if not created and initiative.stage != data["stage"]:
        initiative_transition(
            initiative=initiative,
            actor=actor,
            to_stage=data["stage"],
            note=reason,
            at=stage_entered_at or now,
            imported=True,
        )
        initiative.refresh_from_db()
    if data["production_owner"] is not None:
        # The ownership service records the owner as an accepted handover (locking the row
        # afresh); the object in hand takes its result.
        handover_import(
            initiative=initiative,
            actor=actor,
            to_owner=data["production_owner"],
            confirmed_at=_as_aware(data["owner_confirmed_at"]),
            source=source,
        )
        initiative.refresh_from_db(fields=OWNER_FIELDS)
    existing[data["slug"]] = initiative
    if created:
        return "created"
    # The object in hand carries every write above (the transition reloaded it), so no
    # second read is needed to tell an update from a row that changed nothing.
    return "updated" if _changed(initiative, before) else "unchanged"


def _changed(initiative: Initiative, before: dict) -> bool:
    return any(getattr(initiative, field) != value for field, value in before.items())
