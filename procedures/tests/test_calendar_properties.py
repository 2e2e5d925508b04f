"""Properties of the working calendar over 2024–2027 (hypothesis)."""

from datetime import date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from procedures.calendar import LOCAL_TIME, WorkingCalendar
from procedures.deadlines import TimeLimitUnit, due_at, extend_for_pause

CALENDAR = WorkingCalendar()
UNITS = st.sampled_from(TimeLimitUnit.values)
LIMITS = st.integers(min_value=0, max_value=60)
moments = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2027, 10, 31, 23, 59)
).map(lambda moment: moment.replace(tzinfo=LOCAL_TIME))
days = st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 10, 31))


def inside_office_hours(calendar: WorkingCalendar, moment: datetime) -> bool:
    """On a working day, within a session; a session's closing instant counts."""
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    return calendar.is_working_day(moment.date()) and any(
        start <= seconds <= end for start, end in calendar.hours.sessions
    )


@given(received=moments, limit=LIMITS, unit=UNITS)
def test_due_time_is_inside_office_hours_of_a_working_day(received, limit, unit) -> None:
    assert inside_office_hours(CALENDAR, due_at(CALENDAR, received, limit, unit))


@given(
    received=moments,
    later=st.timedeltas(timedelta(0), timedelta(days=40)),
    limit=LIMITS,
    unit=UNITS,
)
def test_due_time_never_decreases_when_reception_is_later(received, later, limit, unit) -> None:
    assert due_at(CALENDAR, received + later, limit, unit) >= due_at(
        CALENDAR, received, limit, unit
    )


@given(received=moments, limit=LIMITS, more=st.integers(0, 30), unit=UNITS)
def test_due_time_never_decreases_when_the_limit_grows(received, limit, more, unit) -> None:
    assert due_at(CALENDAR, received, limit + more, unit) >= due_at(CALENDAR, received, limit, unit)


@given(day=days, first=st.integers(0, 40), second=st.integers(0, 40))
def test_adding_n_then_m_working_days_equals_adding_n_plus_m(day, first, second) -> None:
    assert CALENDAR.working_day_after(
        CALENDAR.working_day_after(day, first), second
    ) == CALENDAR.working_day_after(day, first + second)


@given(received=moments, first=st.integers(0, 60), second=st.integers(0, 60))
def test_adding_working_hours_composes(received, first, second) -> None:
    start = CALENDAR.next_opening(received)
    step = CALENDAR.add_working_seconds(
        CALENDAR.add_working_seconds(start, first * 1800), second * 1800
    )
    assert step == CALENDAR.add_working_seconds(start, (first + second) * 1800)


@given(received=moments, limit=LIMITS, unit=UNITS, paused=moments)
def test_a_zero_length_pause_changes_nothing(received, limit, unit, paused) -> None:
    due = due_at(CALENDAR, received, limit, unit)
    assert extend_for_pause(CALENDAR, due, unit, paused, paused) == due


@settings(max_examples=60)
@given(received=moments, limit=st.integers(1, 30), extra=days)
def test_an_extra_day_off_moves_every_due_date_that_counted_it(received, limit, extra) -> None:
    due = due_at(CALENDAR, received, limit, TimeLimitUnit.WORKING_DAYS)
    start = CALENDAR.next_opening(received).date()
    with_day_off = WorkingCalendar(overrides={extra: False})
    moved = due_at(with_day_off, received, limit, TimeLimitUnit.WORKING_DAYS)
    counted = CALENDAR.is_working_day(extra) and start < extra <= due.date()
    if counted:
        assert moved.date() == with_day_off.working_day_after(due.date(), 1)
        assert moved.time() == due.time()
    elif extra != start:  # a day off on the reception day moves the start instead
        assert moved == due
