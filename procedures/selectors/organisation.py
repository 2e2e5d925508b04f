"""Readers of the organisation data, and the scope an officer's assignments give."""

import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from portal.resilience import cache_fails_open
from procedures.calendar import OfficeHours, WorkingCalendar
from procedures.models import (
    AdministrativeUnit,
    Agency,
    CalendarOverride,
    ReceptionPoint,
)


@dataclass(frozen=True)
class PublicFigures:
    provinces: int
    communes: int
    agencies: int
    reception_points: int


def public_figures() -> PublicFigures:
    today = timezone.localdate()
    units = AdministrativeUnit.objects.valid_on(today)
    return PublicFigures(
        provinces=units.filter(level=AdministrativeUnit.Level.PROVINCE).count(),
        communes=units.filter(level=AdministrativeUnit.Level.COMMUNE).count(),
        agencies=Agency.objects.valid_on(today).count(),
        reception_points=ReceptionPoint.objects.valid_on(today).count(),
    )


# Working calendars -----------------------------------------------------------------------
# Built once per scope and kept in process memory; a version number in the shared cache
# tells every process when an override or office hours changed. The version is read at
# most once per second, so the hot path (due dates) touches neither database nor Redis.
_CALENDAR_VERSION_KEY = "procedures:calendar-version"
_CALENDAR_CHECK_SECONDS = 1.0
_calendars: dict[tuple[int | None, int | None], WorkingCalendar] = {}
_calendar_state: dict[str, Any] = {"version": None, "checked_at": 0.0}


def forget_working_calendars() -> None:
    """Call after changing calendar overrides or office hours."""
    try:
        cache.incr(_CALENDAR_VERSION_KEY)
    except ValueError:
        cache.set(_CALENDAR_VERSION_KEY, 1, timeout=None)
    _calendars.clear()
    _calendar_state["checked_at"] = 0.0


@cache_fails_open(None, "working calendars kept as they are in this process")
def _calendars_current() -> None:
    now = time.monotonic()
    if now - _calendar_state["checked_at"] < _CALENDAR_CHECK_SECONDS:
        return
    version = cache.get(_CALENDAR_VERSION_KEY)
    if version != _calendar_state["version"]:
        _calendars.clear()
        _calendar_state["version"] = version
    _calendar_state["checked_at"] = now


def working_calendar(
    *, unit: AdministrativeUnit | None = None, reception_point: ReceptionPoint | None = None
) -> WorkingCalendar:
    """The calendar of a reception point (its office hours and overrides, those of its
    unit and the unit's ancestors, and national ones) or of a unit, or the national one."""
    _calendars_current()
    key = (unit.pk if unit else None, reception_point.pk if reception_point else None)
    if key not in _calendars:
        _calendars[key] = _build_calendar(unit, reception_point)
    return _calendars[key]


def _build_calendar(
    unit: AdministrativeUnit | None, reception_point: ReceptionPoint | None
) -> WorkingCalendar:
    if reception_point is not None:
        unit = reception_point.unit
    chain: list[int] = []
    while unit is not None:
        chain.append(unit.pk)
        unit = unit.parent
    # Most specific wins: national, then units from the province down, then the point.
    rank: dict[int | None, int] = {
        None: 0,
        **{pk: len(chain) - depth for depth, pk in enumerate(chain)},
    }
    scoped = Q(unit__isnull=True, reception_point__isnull=True) | Q(unit_id__in=chain)
    if reception_point is not None:
        scoped |= Q(reception_point=reception_point)
    rows = CalendarOverride.objects.filter(scoped).values_list(
        "date", "kind", "name", "unit_id", "reception_point_id"
    )
    ordered = sorted(rows, key=lambda row: len(chain) + 1 if row[4] else rank[row[3]])
    overrides = {row[0]: row[1] == CalendarOverride.Kind.WORKING_DAY for row in ordered}
    names = {row[0]: row[2] for row in ordered}
    hours = OfficeHours()
    if reception_point is not None:
        hours = OfficeHours(
            reception_point.morning_opens,
            reception_point.morning_closes,
            reception_point.afternoon_opens,
            reception_point.afternoon_closes,
        )
    return WorkingCalendar(overrides=overrides, hours=hours, names=names)
