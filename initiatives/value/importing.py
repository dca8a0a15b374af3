"""Reading a value-report CSV (README "Value realisation"): one row per quarter, every error by
row and column before anything is written; `services.value_reports_import` writes the rows,
all or nothing, and refuses (by row and column too) what only the database can tell: the
currency of the approved case, quarters not ended or not in production.

Columns: year, quarter (1-4 or "Q3"), currency, then the figures and notes of the form, then
evidence_url. Only year and quarter are required; a figure left empty is 0. Cells a spreadsheet
would run as a formula come back as written (`transfer.spreadsheet.restore`).
"""

import csv
import io
from collections import Counter
from decimal import Decimal

from django import forms

# The exported-cell rule (a leading apostrophe before a formula character) is the import's.
from initiatives.core import rows
from initiatives.core.rows import ImportFailed
from initiatives.transfer.spreadsheet import restore
from initiatives.value.figures import Quarter
from initiatives.value.models import (
    FIGURE_FIELDS,
    MAX_AMOUNT,
    NEGATIVE,
    NOTE_FIELDS,
)

COLUMNS = ("year", "quarter", "currency", *FIGURE_FIELDS, *NOTE_FIELDS, "evidence_url")
REQUIRED_COLUMNS = ("year", "quarter")


class RowError(rows.RowError):
    """A problem with one line of a value report file ("Line 3, column year: ...")."""

    word = "Line"


def _figure() -> forms.DecimalField:
    return forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=MAX_AMOUNT,
        error_messages={"min_value": NEGATIVE},
    )


class RowForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
    quarter = forms.CharField(max_length=2)
    currency = forms.CharField(max_length=3, required=False)
    evidence_url = forms.URLField(max_length=500, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in FIGURE_FIELDS:
            self.fields[name] = _figure()
        for name in NOTE_FIELDS:
            self.fields[name] = forms.CharField(max_length=500, required=False)

    def clean_quarter(self) -> int:
        text = self.cleaned_data["quarter"].strip().upper().removeprefix("Q")
        if text not in ("1", "2", "3", "4"):
            raise forms.ValidationError("A quarter is 1, 2, 3 or 4 (or Q1 to Q4).")
        return int(text)

    def clean_currency(self) -> str:
        return self.cleaned_data["currency"].strip().upper()


def parse(content: bytes | str, *, max_rows: int = 400) -> list[tuple[int, Quarter, dict]]:
    """Validate the whole file. Returns (line, quarter, inputs) per row or raises ImportFailed
    with every problem found. Lines are the file's, the header being line 1."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFailed(
                [RowError(1, "", f"The file is not UTF-8 text (byte {error.start}).")]
            ) from error
    text = content.removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    errors: list[RowError] = []
    raw: list[tuple[int, dict]] = []
    try:
        header = [h.strip() for h in (reader.fieldnames or [])]
        reader.fieldnames = header
        for values in reader:
            if values.get(None):
                errors.append(RowError(reader.line_num, "", "More cells than columns."))
                continue
            cells = {k: restore((v or "").strip()) for k, v in values.items() if k}
            if any(cells.values()):
                raw.append((reader.line_num, cells))
    except csv.Error as error:
        raise ImportFailed(
            [RowError(reader.line_num, "", f"Not well-formed CSV ({error}).")]
        ) from error
    if not header:
        raise ImportFailed([RowError(1, "", "The file is empty; expected a header row.")])
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        errors.append(
            RowError(1, ", ".join(unknown), f"Unknown column. Columns: {', '.join(COLUMNS)}.")
        )
    repeated = sorted(h for h, n in Counter(header).items() if h and n > 1)
    if repeated:
        errors.append(RowError(1, ", ".join(repeated), "The column appears more than once."))
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        errors.append(RowError(1, ", ".join(missing), "Required column is missing."))
    if len(raw) > max_rows:
        errors.append(RowError(max_rows + 2, "", f"At most {max_rows} rows in one file."))
    if not raw and not errors:
        errors.append(RowError(2, "", "The file has a header but no rows."))
    if errors:
        raise ImportFailed(errors)
    rows, seen = [], {}
    for line, cells in raw:
        form = RowForm(cells)
        if not form.is_valid():
            for column, messages in form.errors.items():
                errors.extend(RowError(line, column, m) for m in messages)
            continue
        data = dict(form.cleaned_data)
        quarter = Quarter(data.pop("year"), data.pop("quarter"))
        if quarter in seen:
            errors.append(
                RowError(line, "quarter", f"{quarter} is already on line {seen[quarter]}.")
            )
            continue
        seen[quarter] = line
        hours, rate = data.get("capacity_hours"), data.get("hourly_rate")
        if hours and not rate:
            errors.append(RowError(line, "hourly_rate", "Give the hourly rate of the hours."))
        present = {k: v for k, v in data.items() if k in header}
        present["currency"] = present.get("currency") or None
        rows.append((line, quarter, present))
    if errors:
        raise ImportFailed(errors)
    return rows
