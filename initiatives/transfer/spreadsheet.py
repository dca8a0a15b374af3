"""Cells that spreadsheets show as text and never run.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return) as a formula, so the export writes such a cell with a leading apostrophe (OWASP's
advice on CSV injection). The importer removes exactly that apostrophe again, so an export
imported back changes nothing: a value that itself starts with an apostrophe before a
formula character gets a second one.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_quote(value: str) -> bool:
    return value.startswith(FORMULA_STARTS) or (value.startswith("'") and _needs_quote(value[1:]))


def neutralise(value: str) -> str:
    """The cell, made safe to open in a spreadsheet."""
    return f"'{value}" if _needs_quote(value) else value


def restore(value: str) -> str:
    """The value `neutralise` was given: the inverse, for the importer."""
    return value[1:] if value.startswith("'") and _needs_quote(value[1:]) else value
