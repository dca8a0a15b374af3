"""Loading an existing inventory from CSV (PRODUCT.md section 11).

The whole file is validated first; any error is reported by row and column and nothing is
written. Rows are matched on `slug`, so importing the same file again updates, never
duplicates. Historical dates (`stage_entered_at`, `owner_confirmed_at`) are kept as given.
"""

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, time

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from initiatives.core.choices import ConfirmationChannel, EventKind, HandoverStatus, RiskTier, Stage
from initiatives.core.writes import record_event
from initiatives.core.writes import save as _save
from initiatives.ownership.models import OwnershipConfirmation, OwnershipHandover
from initiatives.portfolio.models import (
    BusinessUnit,
    Initiative,
    Team,
    validate_lowercase_slug,
    validate_not_reserved,
    validate_single_line,
)
from initiatives.portfolio.services import initiative_transition
from initiatives.transfer.spreadsheet import restore

User = get_user_model()

COLUMNS = (
    "name",
    "slug",
    "summary",
    "business_unit",
    "stage",
    "stage_entered_at",
    "sponsor",
    "production_owner",
    "owning_team",
    "owner_confirmed_at",
    "risk_tier",
    "target_production_date",
)
# Read-only facts the CSV export adds after COLUMNS; accepted and ignored on import, so an
# exported file can be imported again as it is.
EXPORT_ONLY_COLUMNS = ("backup_owner", "owner_accepted_at", "health", "open_flags", "url")
REQUIRED_COLUMNS = ("name", "business_unit", "stage")
PEOPLE_COLUMNS = ("sponsor", "production_owner")


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    slugs: list[str] = field(default_factory=list)


# The earliest year a date may have. Nothing the portal records is older, and years near 1
# cannot be converted to UTC from a time zone east of it (the database refuses them).
FIRST_YEAR = 1900

ISO_DATETIMES = [
    "%Y-%m-%d",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
]


class RowForm(forms.Form):
    """One row's fields, validated as a form so every message is a field-level one."""

    name = forms.CharField(max_length=200, validators=[validate_single_line])
    slug = forms.SlugField(
        max_length=80, required=False, validators=[validate_lowercase_slug, validate_not_reserved]
    )
    summary = forms.CharField(required=False)
    business_unit = forms.CharField(max_length=100)
    stage = forms.ChoiceField(choices=Stage.choices)
    # ISO dates only: 03/04/2025 means different days in different countries.
    stage_entered_at = forms.DateTimeField(required=False, input_formats=ISO_DATETIMES)
    sponsor = forms.CharField(required=False)
    production_owner = forms.CharField(required=False)
    owning_team = forms.CharField(max_length=100, required=False)
    owner_confirmed_at = forms.DateTimeField(required=False, input_formats=ISO_DATETIMES)
    risk_tier = forms.ChoiceField(choices=RiskTier.choices, required=False)
    target_production_date = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        message = "Enter an ISO date: YYYY-MM-DD (or YYYY-MM-DDTHH:MM)."
        for name in ("stage_entered_at", "owner_confirmed_at", "target_production_date"):
            self.fields[name].error_messages["invalid"] = message

    def clean(self):
        data = super().clean()
        if "name" in data and not data.get("slug"):
            data["slug"] = slugify(data["name"])[:80]
            if not data["slug"]:
                self.add_error("slug", "Give a slug: none can be made from this name.")
        now = timezone.now()
        for column in ("stage_entered_at", "owner_confirmed_at", "target_production_date"):
            value = data.get(column)
            if value is not None and value.year < FIRST_YEAR:
                self.add_error(column, f"Enter a date in {FIRST_YEAR} or later.")  # drops it
        for column in ("stage_entered_at", "owner_confirmed_at"):
            value = data.get(column)
            if value is not None and value > now:
                self.add_error(column, "This date is in the future.")
        if data.get("owner_confirmed_at") and not self.data.get("production_owner", "").strip():
            self.add_error("owner_confirmed_at", "A confirmation date needs a production_owner.")
        return data


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content.removeprefix("\ufeff")
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            [RowError(1, "", f"The file is not UTF-8 text (byte {error.start}); save it as UTF-8.")]
        ) from error


def _find_people(identifiers: set[str]) -> dict[str, User]:
    """Everyone named by username or e-mail, in one query (case-insensitive).

    An identifier that matches two different accounts is left out, so it reads as unknown.
    """
    if not identifiers:
        return {}
    lowered = {i.lower() for i in identifiers}
    candidates = User.objects.annotate(
        username_lower=Lower("username"), email_lower=Lower("email")
    ).filter(Q(username_lower__in=lowered) | Q(email_lower__in=lowered))
    found: dict[str, User] = {}
    ambiguous: set[str] = set()
    for user in candidates:
        for key in {user.username_lower, user.email_lower} & lowered:
            if key in found and found[key].pk != user.pk:
                ambiguous.add(key)
            found[key] = user
    for key in ambiguous:
        found.pop(key)
    return found


def _read_rows(text: str, errors: list[RowError]) -> tuple[list[str], list[tuple[int, dict]]]:
    """The header and the non-blank rows, with problems of the file's shape in `errors`."""
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    rows: list[tuple[int, dict]] = []
    last_complete_line = 0
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        last_complete_line = reader.line_num
        for values in reader:
            last_complete_line = reader.line_num
            if values.get(None):
                errors.append(
                    RowError(reader.line_num, "", "More cells than columns in the header.")
                )
                continue
            cells = {k: restore((v or "").strip()) for k, v in values.items() if k is not None}
            if any(cells.values()):  # blank lines are skipped
                rows.append((reader.line_num, cells))
    except csv.Error as error:
        errors.append(
            RowError(
                last_complete_line + 1,  # where the broken record starts
                "",
                f"The file is not well-formed CSV ({error}); check for an unclosed quote.",
            )
        )
        return [], []
    return header, rows


def parse(content: bytes | str, *, max_rows: int | None = None) -> list[tuple[int, dict]]:
    """Validate the whole file. Returns (row number, cleaned data) pairs or raises ImportFailed
    with every problem found, header and rows alike.

    Row numbers are the file's line numbers, the header being row 1.
    """
    text = _decode(content)
    errors: list[RowError] = []
    header, raw_rows = _read_rows(text, errors)
    if errors:
        raise ImportFailed(errors)
    if not header:
        raise ImportFailed([RowError(1, "", "The file is empty; expected a header row.")])
    unknown = [h for h in header if h and h not in COLUMNS and h not in EXPORT_ONLY_COLUMNS]
    # One pass: a file of many thousand columns must not take seconds to refuse.
    repeated = sorted(h for h, n in Counter(header).items() if h and n > 1)
    if repeated:
        errors.append(
            RowError(1, ", ".join(repeated), "The column appears more than once; keep one.")
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if unknown:
        errors.append(
            RowError(1, ", ".join(unknown), f"Unknown column. Columns: {', '.join(COLUMNS)}.")
        )
    if missing:
        errors.append(RowError(1, ", ".join(missing), "Required column is missing."))
    if not raw_rows:
        errors.append(RowError(2, "", "The file has a header but no rows."))
    if max_rows is not None and len(raw_rows) > max_rows:
        raise ImportFailed(
            [
                RowError(
                    max_rows + 2,
                    "",
                    f"The file has {len(raw_rows)} rows; this page takes "
                    f"{max_rows} at most. Use `manage.py import_initiatives` for larger files.",
                )
            ]
        )

    people = _find_people({c[col] for _, c in raw_rows for col in PEOPLE_COLUMNS if c.get(col)})
    # Who holds each role now: a deactivated person may stay where they already are (an
    # exported file names them), but is never given a role.
    holders = {
        slug: {"sponsor": sponsor, "production_owner": owner}
        for slug, sponsor, owner in Initiative.objects.filter(
            slug__in={c["slug"] for _, c in raw_rows if c.get("slug")}
        ).values_list("slug", "sponsor_id", "production_owner_id")
    }
    rows: list[tuple[int, dict]] = []
    slugs_seen: dict[str, int] = {}
    for line, cells in raw_rows:
        if cells.get(""):
            errors.append(RowError(line, "", "A cell is filled under a column with no header."))
        form = RowForm({k: v for k, v in cells.items() if k in COLUMNS})
        for column, messages in ({} if form.is_valid() else form.errors).items():
            if column in missing:
                continue  # already reported once, on the header
            for message in messages:
                errors.append(RowError(line, "" if column == NON_FIELD_ERRORS else column, message))
        data = dict(form.cleaned_data)
        data["_columns"] = frozenset(header)
        for column in PEOPLE_COLUMNS:
            identifier = cells.get(column, "")
            data[column] = None
            if not identifier:
                continue
            person = people.get(identifier.lower())
            if person is None:
                errors.append(
                    RowError(
                        line, column, f"No single person has username or e-mail '{identifier}'."
                    )
                )
            elif not person.is_active and (
                holders.get(data.get("slug") or "", {}).get(column) != person.pk
            ):
                errors.append(RowError(line, column, f"'{identifier}' is deactivated."))
            data[column] = person
        slug = data.get("slug")
        if slug:
            if slug in slugs_seen:
                errors.append(
                    RowError(line, "slug", f"'{slug}' is also on row {slugs_seen[slug]}.")
                )
            slugs_seen.setdefault(slug, line)
        rows.append((line, data))
    if errors:
        raise ImportFailed(errors)
    return rows


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
        record_event(
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
    _import_owner(initiative, data, actor, source, now)
    existing[data["slug"]] = initiative
    if created:
        return "created"
    # The object in hand carries every write above (the transition reloaded it), so no
    # second read is needed to tell an update from a row that changed nothing.
    return "updated" if _changed(initiative, before) else "unchanged"


def _changed(initiative: Initiative, before: dict) -> bool:
    return any(getattr(initiative, field) != value for field, value in before.items())


def _import_owner(initiative: Initiative, data: dict, actor, source: str, now) -> None:
    """An imported owner already runs the system: their handover is recorded as accepted.

    The acceptance is the importer's word, not the owner's: the handover says so, and the
    history rows of the handover and of the initiative name the import as its source.
    """
    reason = f"Imported from {source}"
    acceptance = f"Acceptance recorded by the import from {source}"
    owner = data["production_owner"]
    confirmed_at = _as_aware(data["owner_confirmed_at"])
    if owner is None:
        return
    changed = False
    if (
        confirmed_at is not None
        and confirmed_at != initiative.owner_confirmed_at  # an export repeats the stored one
        and owner.pk == initiative.production_owner_id
        and (initiative.owner_accepted_at is None)
    ):
        raise ValidationError(
            {
                "owner_confirmed_at": f"{owner.username} has not accepted the handover in the "
                "portal yet, so no confirmation can be recorded for them."
            }
        )
    if owner.pk == initiative.backup_owner_id:
        raise ValidationError(
            {
                "production_owner": f"{owner.username} is this initiative's backup owner; "
                "the production owner must be someone else."
            }
        )
    if owner.pk != initiative.production_owner_id:
        for pending in initiative.handovers.filter(status=HandoverStatus.PENDING):
            pending.status = HandoverStatus.SUPERSEDED
            pending.decided_at = now
            _save(pending, actor, reason)
        _save(
            OwnershipHandover(
                initiative=initiative,
                from_owner=initiative.production_owner,
                from_owner_accepted_at=initiative.owner_accepted_at,
                from_backup_owner=initiative.backup_owner,
                to_owner=owner,
                owning_team=initiative.owning_team,
                requested_at=confirmed_at or now,
                note=reason,
                status=HandoverStatus.ACCEPTED,
                decided_at=confirmed_at or now,
                decision_note=f"Recorded as accepted by the import from {source}, not "
                "accepted by the owner in the portal.",
                confirms_skills=True,
                confirms_mandate=True,
                confirms_budget=True,
            ),
            actor,
            acceptance,
        )
        initiative.production_owner = owner
        initiative.owner_accepted_at = confirmed_at or now
        reason = acceptance
        changed = True
    if confirmed_at is not None and confirmed_at != initiative.owner_confirmed_at:
        initiative.owner_confirmed_at = confirmed_at
        OwnershipConfirmation.objects.create(
            initiative=initiative,
            owner=owner,
            confirmed_at=confirmed_at,
            channel=ConfirmationChannel.IMPORT,
        )
        changed = True
    if changed:
        _save(initiative, actor, reason)
