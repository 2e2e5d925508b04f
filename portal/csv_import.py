"""Reading the CSV files of INTERFACES.md §2.

UTF-8 with or without BOM, comma-separated, a header row, columns in any order, unknown
columns refused, empty cell = not given. Problems are collected, never raised one by one,
so that an import can report every bad row of the file at once as
`row N: column: reason` (N = line number in the file, header = 1).
"""

import csv
import io
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction

if TYPE_CHECKING:
    from portal.models import User

T = TypeVar("T")

BINARY_SNIFF_BYTES = 8192
TRUE_VALUES = {"true": True, "1": True, "false": False, "0": False}


@dataclass(frozen=True, order=True)
class Problem:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.line}: {self.column}: {self.reason}"


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.rows} rows: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )


class ImportRejectedError(Exception):
    """The file has problems; nothing was written."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Row:
    """One data row. Getters return the parsed value, or None when the cell is empty or
    bad; a bad or missing required cell is recorded as a problem."""

    def __init__(self, line: int, values: dict[str, str], problems: list[Problem]) -> None:
        self.line = line
        self.values = values
        self._problems = problems

    def problem(self, column: str, reason: str) -> None:
        self._problems.append(Problem(self.line, column, reason))

    @property
    def ok(self) -> bool:
        """No problem recorded on this row so far."""
        return not any(problem.line == self.line for problem in self._problems)

    def text(self, column: str, *, required: bool = False, max_length: int = 0) -> str | None:
        value = self.values.get(column, "").strip()
        if not value:
            if required:
                self.problem(column, "required")
            return None
        if max_length and len(value) > max_length:
            self.problem(column, f"longer than {max_length} characters")
            return None
        return value

    def codes(self, column: str) -> list[str]:
        """A `;`-separated list of codes, in order; a code given twice is a problem."""
        found: list[str] = []
        for part in (self.text(column) or "").split(";"):
            code = part.strip()
            if code in found:
                self.problem(column, f"{code} is listed twice")
            elif code:
                found.append(code)
        return found

    def choice(self, column: str, choices: Iterable[str], *, required: bool = False) -> str | None:
        value = self.text(column, required=required)
        allowed = list(choices)
        if value is not None and value not in allowed:
            self.problem(column, f"{value!r} is not one of {', '.join(allowed)}")
            return None
        return value

    def date(self, column: str, *, required: bool = False) -> date | None:
        return self._parse(column, required, date.fromisoformat, "not a date (YYYY-MM-DD)")

    def datetime(self, column: str, *, required: bool = False) -> datetime | None:
        moment = self._parse(column, required, datetime.fromisoformat, "not an ISO 8601 time")
        if moment is not None and moment.tzinfo is None:
            moment = moment.replace(tzinfo=ZoneInfo(settings.TIME_ZONE))
        return moment

    def decimal(
        self, column: str, *, required: bool = False, minimum: Decimal | None = None
    ) -> Decimal | None:
        number = self._parse(column, required, _decimal, "not a number")
        if number is not None and minimum is not None and number < minimum:
            self.problem(column, f"must be at least {minimum}")
            return None
        return number

    def boolean(self, column: str, *, default: bool) -> bool:
        value = self.text(column)
        if value is None:
            return default
        if value.lower() not in TRUE_VALUES:
            self.problem(column, f"{value!r} is not true, false, 1 or 0")
            return default
        return TRUE_VALUES[value.lower()]

    def integer(
        self, column: str, *, required: bool = False, minimum: int | None = None
    ) -> int | None:
        number = self._parse(column, required, int, "not a whole number")
        if number is not None and minimum is not None and number < minimum:
            self.problem(column, f"must be at least {minimum}")
            return None
        return number

    def _parse(
        self, column: str, required: bool, parse: Callable[[str], T], reason: str
    ) -> T | None:
        value = self.text(column, required=required)
        if value is None:
            return None
        try:
            return parse(value)
        except ValueError:
            self.problem(column, f"{reason}: {value!r}")
            return None


def _decimal(value: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite():
        raise ValueError(value)
    return number


class CsvFile:
    """Validate the header on open, then iterate the data rows (streaming)."""

    def __init__(
        self,
        path: Path,
        *,
        columns: Iterable[str],
        required: Iterable[str],
        progress: "Progress | None" = None,
    ) -> None:
        self.path = Path(path)
        self.progress = progress or Progress()
        self.columns = list(columns)
        self.required = list(required)
        self.problems: list[Problem] = []
        self.header: list[str] = []
        self._check_header()

    def _check_encoding(self) -> bool:
        """One pass over the bytes, so a bad line is named exactly before parsing."""
        with self.path.open("rb") as raw:
            # A NUL byte near the start marks a binary file (an image, a spreadsheet).
            if b"\x00" in raw.read(BINARY_SNIFF_BYTES):
                self.problems.append(Problem(1, "file", "binary content, not CSV text"))
                return False
            raw.seek(0)
            for number, line in enumerate(raw, start=1):
                if b"\x00" in line:
                    self.problems.append(Problem(number, "file", "binary content, not CSV text"))
                    return False
                try:
                    line.decode("utf-8")
                except UnicodeDecodeError:
                    self.problems.append(Problem(number, "file", "not UTF-8 text"))
                    return False
        return True

    def _check_header(self) -> None:
        if not self._check_encoding():
            return
        with self._open() as text:
            header = next(csv.reader(text), None)
        if not header or not any(cell.strip() for cell in header):
            self.problems.append(Problem(1, "header", "the file has no header row"))
            return
        self.header = [cell.strip() for cell in header]
        seen: set[str] = set()
        for name in self.header:
            if name not in self.columns:
                self.problems.append(Problem(1, name or "(empty)", "unknown column"))
            elif name in seen:
                self.problems.append(Problem(1, name, "column given twice"))
            seen.add(name)
        for name in self.required:
            if name not in seen:
                self.problems.append(Problem(1, name, "missing column"))

    def _open(self) -> io.TextIOWrapper:
        return self.path.open(encoding="utf-8-sig", newline="", errors="strict")

    @property
    def header_ok(self) -> bool:
        return not self.problems

    def rows(self) -> Iterator[Row]:
        """Data rows; skips blank lines. Structural problems land in `self.problems`."""
        if not self.header_ok:
            return
        with self._open() as text:
            reader = csv.reader(text)
            line = 0
            try:
                next(reader)
                line = reader.line_num
                for cells in reader:
                    start, line = line + 1, reader.line_num
                    if not any(cell.strip() for cell in cells):
                        continue
                    if len(cells) != len(self.header):
                        self.problems.append(
                            Problem(
                                start,
                                "file",
                                f"{len(cells)} cells where the header has {len(self.header)}",
                            )
                        )
                        continue
                    self.progress.read()
                    yield Row(start, dict(zip(self.header, cells, strict=True)), self.problems)
            except csv.Error as error:
                self.problems.append(Problem(line + 1, "file", f"malformed CSV ({error})"))


class Progress:
    """Rows read, checked and written, with the rate, on one terminal line that redraws
    itself; silent when the stream is not a terminal (cron, CI, the admin's pages)."""

    EVERY = 1000

    def __init__(self, stream: "TextIO | None" = None, *, label: str = "") -> None:
        self.stream = stream
        self.label = label
        self.counts = {"read": 0, "checked": 0, "written": 0}
        self.started = time.monotonic()
        self._shown_at = -self.EVERY
        self.active = bool(stream is not None and getattr(stream, "isatty", lambda: False)())

    def read(self, rows: int = 1) -> None:
        self._add("read", rows)

    def checked(self, rows: int) -> None:
        self._add("checked", rows)

    def written(self, rows: int) -> None:
        self._add("written", rows)

    def _add(self, stage: str, rows: int) -> None:
        self.counts[stage] += rows
        total = sum(self.counts.values())
        if self.active and total - self._shown_at >= self.EVERY:
            self._shown_at = total
            self._show()

    def _show(self, end: str = "") -> None:
        seconds = max(time.monotonic() - self.started, 1e-6)
        busiest = max(self.counts.values())
        line = (
            f"\r{self.label}: {self.counts['read']} read, {self.counts['checked']} checked, "
            f"{self.counts['written']} written, {busiest / seconds:,.0f} rows/s"
        )
        assert self.stream is not None
        self.stream.write(line + end)
        self.stream.flush()

    def finish(self) -> None:
        if self.active:
            self._show(end="\n")


def run_or_check(run: "Callable[[], T]", *, check: bool) -> T:
    """Run an import; with `check`, run it whole and roll it back, so the summary says
    exactly what the import would create, update and leave alone, and nothing stays
    written (no row, no audit event, no mail: on-commit work is dropped with it)."""
    if not check:
        return run()
    with transaction.atomic():
        result = run()
        transaction.set_rollback(True)
    return result


R = TypeVar("R")


def import_rows(
    *,
    csv_file: CsvFile,
    parse: "Callable[[Row], R | None]",
    check: "Callable[[list[R]], list[Problem]]",
    write: "Callable[[list[R], ImportSummary], None]",
    event: str,
    actor: "User | None",
) -> ImportSummary:
    """The shape of an import of INTERFACES.md §2: every row parsed, then (when each row is
    sound) the checks across rows and against the stored data; any problem refuses the
    whole file; else one transaction writes every row and records one audit event."""
    from portal import audit

    parsed = [item for row in csv_file.rows() if (item := parse(row)) is not None]
    problems = csv_file.problems
    if not problems:
        problems.extend(check(parsed))
    if problems:
        raise ImportRejectedError(problems)
    csv_file.progress.checked(len(parsed))
    summary = ImportSummary(rows=len(parsed))
    with transaction.atomic():
        write(parsed, summary)
        audit.record(
            actor=actor, event=event, data={"file": csv_file.path.name, **summary.__dict__}
        )
    csv_file.progress.written(len(parsed))
    return summary
