"""Working-time calendar (lịch làm việc): which days are worked and the office hours.

Pure arithmetic, no database: a `WorkingCalendar` is built once from the national
calendar (the pinned `holidays` package: Tết, Hùng Kings, 30/4, 1/5, 2/9 and the
government's yearly swaps) and the local overrides, then answers millions of questions
from memory. `procedures.selectors.working_calendar()` builds and caches one per scope.
"""

import bisect
import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays

LOCAL_TIME = ZoneInfo("Asia/Ho_Chi_Minh")
SATURDAY = 5


@dataclass(frozen=True)
class OfficeHours:
    """Giờ làm việc: a morning and an afternoon session (RULES.md §4 defaults)."""

    morning_opens: time = time(7, 30)
    morning_closes: time = time(11, 30)
    afternoon_opens: time = time(13, 30)
    afternoon_closes: time = time(17, 0)

    @cached_property
    def sessions(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """Both sessions as (start, end) in seconds after midnight."""
        return (
            (_seconds(self.morning_opens), _seconds(self.morning_closes)),
            (_seconds(self.afternoon_opens), _seconds(self.afternoon_closes)),
        )

    @cached_property
    def seconds_per_day(self) -> int:
        return sum(end - start for start, end in self.sessions)


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


@functools.cache
def national_calendar(year: int) -> tuple[dict[date, str], dict[date, str]]:
    """Days off and make-up working days (weekend days worked) of one year, with their
    Vietnamese names, per the pinned `holidays` package."""
    country = holidays.country_holidays("VN", years=year, language="vi")
    days_off = {day: str(name) for day, name in country.items() if day.year == year}
    workdays = {}
    for workday in sorted(day for day in country.weekend_workdays if day.year == year):
        # The package names the day off "Ngày nghỉ (thay cho ngày 26/04/2025)".
        swapped = [day for day, name in days_off.items() if f"{workday:%d/%m/%Y}" in name]
        workdays[workday] = (
            f"Làm bù cho ngày nghỉ {swapped[0]:%d/%m/%Y}" if swapped else "Ngày làm bù"
        )
    return days_off, workdays


class WorkingCalendar:
    """Days off and working days of one scope, with its office hours.

    `overrides` maps a date to True (a make-up working day) or False (an extra day
    off); it wins over the national calendar."""

    SPAN_YEARS = 3  # years added around a date asked about outside the built range

    def __init__(
        self,
        *,
        overrides: Mapping[date, bool] | None = None,
        hours: OfficeHours | None = None,
        names: Mapping[date, str] | None = None,
    ) -> None:
        self.overrides = dict(overrides or {})
        self.names = dict(names or {})
        self.hours = hours or OfficeHours()
        self._first_year = self._last_year = 0
        self._working_days: list[date] = []

    # Days -------------------------------------------------------------------------------

    def _ensure_years(self, day: date) -> None:
        if self._first_year <= day.year <= self._last_year:
            return
        first = min(day.year - self.SPAN_YEARS, self._first_year or day.year)
        last = max(day.year + self.SPAN_YEARS, self._last_year)
        working: list[date] = []
        for year in range(first, last + 1):
            days_off, workdays = national_calendar(year)
            current = date(year, 1, 1)
            while current.year == year:
                worked = self.overrides.get(current)
                if worked is None:
                    worked = (
                        current in workdays
                        if current.weekday() >= SATURDAY
                        else current not in days_off
                    )
                if worked:
                    working.append(current)
                current += timedelta(days=1)
        self._first_year, self._last_year, self._working_days = first, last, working

    def exceptions(self, year: int) -> list[tuple[date, bool, str]]:
        """Weekdays off and weekend days worked in `year`: (day, worked, name)."""
        days_off, workdays = national_calendar(year)
        found = []
        current = date(year, 1, 1)
        while current.year == year:
            worked = self.is_working_day(current)
            if worked == (current.weekday() >= SATURDAY):
                national = workdays if worked else days_off
                found.append(
                    (current, worked, self.names.get(current) or national.get(current, ""))
                )
            current += timedelta(days=1)
        return found

    def is_working_day(self, day: date) -> bool:
        self._ensure_years(day)
        index = bisect.bisect_left(self._working_days, day)
        return index < len(self._working_days) and self._working_days[index] == day

    def working_day_after(self, day: date, count: int = 1) -> date:
        """The `count`-th working day after `day` (`day` itself is not counted); 0 gives
        `day`."""
        if count == 0:
            return day
        self._ensure_years(day)
        index = bisect.bisect_right(self._working_days, day) + count - 1
        if index >= len(self._working_days):
            self._ensure_years(self._working_days[-1] + timedelta(days=400))
            return self.working_day_after(day, count)
        return self._working_days[index]

    def next_working_day(self, day: date) -> date:
        """`day` itself when worked, else the first working day after it."""
        return day if self.is_working_day(day) else self.working_day_after(day)

    def working_days_between(self, first: date, last: date) -> int:
        """Working days in the closed interval [first, last]."""
        self._ensure_years(first)
        self._ensure_years(last)
        return max(
            0,
            bisect.bisect_right(self._working_days, last)
            - bisect.bisect_left(self._working_days, first),
        )

    # Instants ---------------------------------------------------------------------------

    def at(self, day: date, seconds: int) -> datetime:
        return datetime.combine(
            day, time(seconds // 3600, seconds // 60 % 60, seconds % 60), LOCAL_TIME
        )

    def closing_time(self, day: date) -> datetime:
        return self.at(day, self.hours.sessions[-1][1])

    def opening_time(self, day: date) -> datetime:
        return self.at(day, self.hours.sessions[0][0])

    def is_open(self, moment: datetime) -> bool:
        """Inside office hours of a working day (a session's closing instant is not)."""
        local = moment.astimezone(LOCAL_TIME)
        seconds = _seconds(local.time())
        return self.is_working_day(local.date()) and any(
            start <= seconds < end for start, end in self.hours.sessions
        )

    def next_opening(self, moment: datetime) -> datetime:
        """`moment` if the office is open then, else the next time it opens."""
        local = moment.astimezone(LOCAL_TIME)
        day, seconds = local.date(), _seconds(local.time())
        if self.is_working_day(day):
            for start, end in self.hours.sessions:
                if seconds < start:
                    return self.at(day, start)
                if seconds < end:
                    return local
        return self.opening_time(self.working_day_after(day))

    def add_working_seconds(self, moment: datetime, seconds: float) -> datetime:
        """The instant after `seconds` of office time counted from `moment`. A result at
        the end of a session stays there (11:30, 17:00) rather than jumping ahead."""
        if seconds <= 0:
            return moment.astimezone(LOCAL_TIME)
        current = self.next_opening(moment)
        remaining = seconds
        day, position = current.date(), _seconds(current.time()) + current.microsecond / 1e6
        per_day = self.hours.seconds_per_day
        while True:
            for start, end in self.hours.sessions:
                if position >= end:
                    continue
                position = max(position, start)
                if remaining <= end - position:
                    return self.at(day, 0) + timedelta(seconds=position + remaining)
                remaining -= end - position
                position = end
            # Skip whole working days at once, then finish inside the last one.
            whole_days = math.floor(remaining / per_day) if remaining > per_day else 0
            if whole_days and remaining - whole_days * per_day == 0:
                whole_days -= 1
            day = self.working_day_after(day, whole_days + 1)
            remaining -= whole_days * per_day
            position = 0

    def working_seconds_between(self, start: datetime, end: datetime) -> float:
        """Office time elapsed from `start` to `end` (0 when end ≤ start)."""
        if end <= start:
            return 0.0
        first, last = start.astimezone(LOCAL_TIME), end.astimezone(LOCAL_TIME)
        if first.date() == last.date():
            return self._open_seconds_within_day(first.date(), first, last)
        total = self._open_seconds_within_day(first.date(), first, None)
        total += self._open_seconds_within_day(last.date(), None, last)
        middle = self.working_days_between(
            first.date() + timedelta(days=1), last.date() - timedelta(days=1)
        )
        return total + middle * self.hours.seconds_per_day

    def _open_seconds_within_day(
        self, day: date, start: datetime | None, end: datetime | None
    ) -> float:
        if not self.is_working_day(day):
            return 0.0
        low = _seconds(start.time()) + start.microsecond / 1e6 if start else 0.0
        high = _seconds(end.time()) + end.microsecond / 1e6 if end else 86400.0
        return sum(
            max(0.0, min(high, session_end) - max(low, session_start))
            for session_start, session_end in self.hours.sessions
        )
