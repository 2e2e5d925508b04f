"""Due dates on the real Vietnamese calendar (RULES.md §4), example by example. Timeliness
(§5) is dossiers.timeliness, tested in dossiers/tests/test_timeliness.py."""

from datetime import datetime

import pytest

from procedures.calendar import LOCAL_TIME, WorkingCalendar
from procedures.deadlines import due_at, effective_reception, extend_for_pause

CALENDAR = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TIME)


@pytest.mark.parametrize(
    ("received", "limit", "unit", "due"),
    [
        # Tết 2025: 27/1–1/2 off (Mon–Sat); the day of reception is not counted.
        ("2025-01-24 10:00", 3, "working_days", "2025-02-05 17:00"),
        ("2025-01-27 09:00", 1, "working_days", "2025-02-04 17:00"),
        # Tết 2026: 16/2–20/2 off.
        ("2026-02-13 10:00", 1, "working_days", "2026-02-23 17:00"),
        ("2026-02-12 16:00", 5, "working_days", "2026-02-26 17:00"),
        # 30/4–1/5/2025 with Saturday 26/4 worked in exchange for Friday 2/5.
        ("2025-04-25 10:00", 1, "working_days", "2025-04-26 17:00"),
        ("2025-04-25 10:00", 2, "working_days", "2025-04-28 17:00"),
        ("2025-04-28 10:00", 2, "working_days", "2025-05-05 17:00"),
        # Saturday 22/8/2026 worked, Monday 31/8 off, then 1/9 and 2/9 (National Day).
        ("2026-08-21 10:00", 1, "working_days", "2026-08-22 17:00"),
        ("2026-08-28 10:00", 1, "working_days", "2026-09-03 17:00"),
        ("2026-08-28 10:00", 3, "working_days", "2026-09-07 17:00"),
        # Same day: the 15:00 rule.
        ("2026-03-02 14:59", 0, "same_day", "2026-03-02 17:00"),
        ("2026-03-02 15:01", 0, "same_day", "2026-03-03 17:00"),
        ("2026-03-06 15:00", 0, "same_day", "2026-03-09 17:00"),
        # Friday just before and just after closing time.
        ("2026-03-06 16:59", 1, "working_days", "2026-03-09 17:00"),
        ("2026-03-06 17:01", 1, "working_days", "2026-03-10 17:00"),
        # An online dossier received on a Sunday starts on Monday morning.
        ("2026-03-08 09:00", 2, "working_days", "2026-03-11 17:00"),
        # Working hours started during the lunch break count from 13:30.
        ("2026-03-02 12:00", 4, "working_hours", "2026-03-03 08:00"),
        ("2026-03-02 12:00", 7.5, "working_hours", "2026-03-03 11:30"),
        ("2026-03-02 12:00", 8, "working_hours", "2026-03-03 14:00"),
        # Calendar days landing on 30/4/2025: moved past 1/5 and the swapped 2/5.
        ("2025-04-20 09:00", 10, "calendar_days", "2025-05-05 17:00"),
        ("2026-04-20 09:00", 10, "calendar_days", "2026-05-04 17:00"),
        ("2026-03-02 09:00", 3, "calendar_days", "2026-03-05 17:00"),
    ],
)
def test_due_time_on_the_real_calendar(received: str, limit: float, unit: str, due: str) -> None:
    assert due_at(CALENDAR, at(received), limit, unit) == at(due)


@pytest.mark.parametrize(
    ("received", "effective"),
    [
        ("2026-03-02 07:29", "2026-03-02 07:30"),
        ("2026-03-02 07:30", "2026-03-02 07:30"),
        ("2026-03-02 11:30", "2026-03-02 13:30"),
        ("2026-03-02 17:00", "2026-03-03 07:30"),
        ("2026-03-07 10:00", "2026-03-09 07:30"),  # Saturday
        ("2026-08-22 10:00", "2026-08-22 10:00"),  # Saturday worked
        ("2026-02-15 23:00", "2026-02-23 07:30"),  # eve of Tết 2026
    ],
)
def test_effective_reception_time(received: str, effective: str) -> None:
    assert effective_reception(CALENDAR, at(received)) == at(effective)


def test_supplement_pause_moves_a_day_limit_by_whole_working_days_rounded_up() -> None:
    due = at("2026-03-10 17:00")
    # Waited Wednesday 14:00 → Thursday 9:00: 3 h + 1.5 h of office time → one day.
    moved = extend_for_pause(
        CALENDAR, due, "working_days", at("2026-03-04 14:00"), at("2026-03-05 09:00")
    )
    assert moved == at("2026-03-11 17:00")
    # Waited over Tết 2026 (Fri 13/2 10:00 → Mon 23/2 10:00): 5 h on 13/2, 2.5 h on 23/2.
    moved = extend_for_pause(
        CALENDAR, due, "working_days", at("2026-02-13 10:00"), at("2026-02-23 10:00")
    )
    assert moved == at("2026-03-11 17:00")


def test_supplement_pause_moves_an_hour_limit_by_the_office_time_waited() -> None:
    due = at("2026-03-03 14:00")
    moved = extend_for_pause(
        CALENDAR, due, "working_hours", at("2026-03-02 16:00"), at("2026-03-03 08:30")
    )
    assert moved == at("2026-03-03 16:00")  # 1 h + 1 h waited


def test_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown time limit unit 'weeks'"):
        due_at(CALENDAR, at("2026-03-02 09:00"), 1, "weeks")
