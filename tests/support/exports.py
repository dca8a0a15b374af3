"""Reading a CSV export the way a spreadsheet would."""

import csv
import io


def people_rows(response) -> list[dict]:
    """The rows of the file for people (the list page's CSV link), after checking it is one."""
    from initiatives.transfer.export import PEOPLE_COLUMNS

    return csv_rows(response, PEOPLE_COLUMNS)


def csv_rows(response, columns) -> list[dict]:
    """The rows of a CSV export with these `columns`, after checking it is one."""
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="initiatives-')
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read the file as UTF-8
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    assert tuple(reader.fieldnames) == tuple(columns)
    return list(reader)


def slug_of(row: dict) -> str:
    """The initiative a row of the file for people links to."""
    return row["Link"].rstrip("/").rsplit("/", 1)[1]
