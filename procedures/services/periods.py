"""Codes held over periods of validity. Since the 2025 reform an official code (of a unit,
an agency) may pass to a new holder once the old one closes: it is unique at any one time,
not forever. Imports check that no two holders overlap and resolve a code on a day."""

import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Protocol, TypeVar

from django.utils import timezone

from portal.csv_import import Problem


class Held(Protocol):
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None


H = TypeVar("H", bound=Held)


def start(period: Held) -> date:
    return period.valid_from or date.min


def end(period: Held) -> date:
    return period.valid_to or date.max


def holder_on(candidates: Iterable[H], day: date) -> H | None:
    """The one holding the code on `day`."""
    for candidate in candidates:
        if start(candidate) <= day <= end(candidate):
            return candidate
    return None


def latest_during(candidates: Iterable[H], first: date, last: date) -> H | None:
    """Of those holding the code at some time between `first` and `last`, the latest."""
    during = [c for c in candidates if start(c) <= last and first <= end(c)]
    return max(during, key=start, default=None)


def holder_now(candidates: Sequence[H]) -> H | None:
    """The holder of a code today, else the latest one (a scope named without a date)."""
    today = timezone.localdate()
    return holder_on(candidates, today) or max(candidates, key=start, default=None)


def line_of(period: object) -> int | None:
    """File rows carry their line number; stored records don't."""
    return getattr(period, "line", None)


def overlap_problems(periods: Mapping[str, Sequence[Held]], *, what: str) -> list[Problem]:
    """One problem per file row that would hold a code while another holder does."""
    problems = []
    for code, entries in periods.items():
        ordered = sorted(entries, key=start)
        for before, after in itertools.pairwise(ordered):
            if end(before) < start(after):
                continue
            row = after if line_of(after) is not None else before
            line = line_of(row)
            if line is None:
                continue
            other = before if row is after else after
            other_line = line_of(other)
            where = f"row {other_line}" if other_line is not None else f"a stored {what}"
            problems.append(
                Problem(
                    line, "valid_from", f"{code} is also {other.name} ({where}) during this period"
                )
            )
    return problems
