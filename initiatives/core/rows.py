"""What a file import reports when rows are refused: every problem, by row and column, and
the exception that carries them (the inventory import and the value reports' CSV)."""

from dataclasses import dataclass
from typing import ClassVar


@dataclass(frozen=True)
class RowError:
    """One problem with one row of an imported file ("row 3, column stage: ...")."""

    row: int
    column: str
    message: str

    word: ClassVar[str] = "row"  # how the importer's page names a row

    def __str__(self) -> str:
        where = f"{self.word} {self.row}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """Nothing was written: `errors` says why, every row's problems."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))
