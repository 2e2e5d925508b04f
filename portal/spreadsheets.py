"""Every CSV and XLSX the portal hands out is written through here, so that no text a
person typed (a unit's name, an applicant's address) becomes a formula when the file is
opened in a spreadsheet program (CSV/formula injection, OWASP).

Text that a spreadsheet would read as the start of a formula (`= + - @`, a tab, a carriage
return) is neutralised: in CSV by a leading apostrophe, the usual defence, which
spreadsheet programs show as typed text; in XLSX the cell is stored as a string with
Excel's "quote prefix", so it shows the exact text and stays text when edited. Numbers,
dates and empty cells pass unchanged."""

import csv
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel reads a CSV as UTF-8 only with the byte order mark.
CSV_START = "\ufeff"


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_value(value: object) -> object:
    """The value as a CSV cell that no spreadsheet takes for a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """csv.writer whose rows are neutralised; `writerow` returns what the target's
    `write` returned, so a pass-through target streams the lines."""

    def __init__(self, target: _Writable) -> None:
        self._writer = csv.writer(target)

    def writerow(self, row: Iterable[object]) -> Any:
        return self._writer.writerow([csv_value(value) for value in row])


class _Echo:
    def write(self, text: str) -> str:
        return text


def csv_lines(rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """The lines of a CSV file of `rows`, the byte order mark first: for a streamed
    response, one row in memory at a time."""
    writer = CsvWriter(_Echo())
    yield CSV_START
    for row in rows:
        yield writer.writerow(row)


def xlsx_text(sheet: WriteOnlyWorksheet, value: str, *, bold: bool = False) -> Cell:
    """A text cell that is never a formula, whatever it starts with."""
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"  # openpyxl would otherwise take "=…" for a formula
    if value.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)
    return cell


def xlsx_row(sheet: WriteOnlyWorksheet, row: Iterable[object]) -> list[object]:
    """The row with each text as a text cell (`xlsx_text`); other values unchanged."""
    return [xlsx_text(sheet, value) if isinstance(value, str) else value for value in row]
