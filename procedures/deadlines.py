"""Legal deadlines (thời hạn giải quyết), per RULES.md §4: due times and their moves.
Whether a dossier keeps to them (RULES.md §5) is dossiers.timeliness.

Pure functions of a `WorkingCalendar`; they read no database."""

import math
from datetime import datetime, time, timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from procedures.calendar import LOCAL_TIME, WorkingCalendar

SAME_DAY_CUTOFF = time(15, 0)  # received at or after 15:00: the next working day
SECONDS_PER_HOUR = 3600


class TimeLimitUnit(models.TextChoices):
    WORKING_DAYS = "working_days", _("working days")
    WORKING_HOURS = "working_hours", _("working hours")
    CALENDAR_DAYS = "calendar_days", _("calendar days")
    SAME_DAY = "same_day", _("same day")


def effective_reception(calendar: WorkingCalendar, received_at: datetime) -> datetime:
    """When the clock starts: the reception time inside office hours of a working day,
    else the next opening. The receipt still prints the real time."""
    return calendar.next_opening(received_at)


def due_at(calendar: WorkingCalendar, received_at: datetime, limit: float, unit: str) -> datetime:
    """Ngày hẹn trả: the due time of a dossier received at `received_at`."""
    start = effective_reception(calendar, received_at)
    if unit == TimeLimitUnit.WORKING_DAYS:
        # Civil Code 2015 art. 147: the day of the event is not counted.
        return calendar.closing_time(calendar.working_day_after(start.date(), int(limit)))
    if unit == TimeLimitUnit.WORKING_HOURS:
        return calendar.add_working_seconds(start, limit * SECONDS_PER_HOUR)
    if unit == TimeLimitUnit.SAME_DAY:
        day = start.date()
        if start.time() >= SAME_DAY_CUTOFF:
            day = calendar.working_day_after(day)
        return calendar.closing_time(day)
    if unit == TimeLimitUnit.CALENDAR_DAYS:
        # Civil Code 2015 art. 148: a period ending on a day off ends on the next working day.
        last_day = start.date() + timedelta(days=int(limit))
        return calendar.closing_time(calendar.next_working_day(last_day))
    raise ValueError(f"unknown time limit unit {unit!r}")


def extend_for_pause(
    calendar: WorkingCalendar,
    due: datetime,
    unit: str,
    paused_at: datetime,
    resumed_at: datetime,
) -> datetime:
    """Move the due time later by the working time the dossier waited (a supplement
    request or a financial obligation), in the limit's unit: whole working days, rounded
    up, for day-based limits; exact office time for hour-based ones."""
    waited = calendar.working_seconds_between(paused_at, resumed_at)
    if waited <= 0:
        return due
    if unit == TimeLimitUnit.WORKING_HOURS:
        return calendar.add_working_seconds(due, waited)
    days = math.ceil(waited / calendar.hours.seconds_per_day)
    return calendar.closing_time(
        calendar.working_day_after(due.astimezone(LOCAL_TIME).date(), days)
    )
