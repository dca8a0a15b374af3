"""Reading an inventory CSV (README "Import"): the columns, one form per row, and every
error by row and column before anything is written (`importer.py` writes).
"""

import csv
import io
from collections import Counter

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify

from initiatives.core.choices import RiskTier, Stage
from initiatives.core.rows import ImportFailed, RowError
from initiatives.portfolio.models import (
    Initiative,
    validate_lowercase_slug,
    validate_not_reserved,
    validate_single_line,
)
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
