"""Overdue months of dossiers whose clock was paused: their due time moved after the fact,
so whether they were overdue at the end of a month depends on the pauses (RULES.md §5).
They are few (those with `pause_count > 0`), so this walks them in Python; the snapshot's
SQL passes handle every other dossier."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.db.models import Prefetch, QuerySet

from dossiers import timeliness
from dossiers.models import Dossier, Pause
from procedures.calendar import LOCAL_TIME

Key = tuple[int, int, int | None, int, int]


def _key(dossier: Dossier) -> Key:
    return (
        dossier.unit_id,
        dossier.agency_id,
        dossier.reception_point_id,
        dossier.procedure_id,
        dossier.procedure.sector_id,
    )


def _month_start(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TIME).date().replace(day=1)


def _next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def _end_of(month: date) -> datetime:
    return datetime.combine(_next_month(month), time.min, tzinfo=LOCAL_TIME)


def _paused(dossiers: QuerySet[Dossier]) -> Iterable[tuple[Dossier, list[Pause]]]:
    processing = timeliness.clock_pauses().order_by("requested_at")
    query = (
        dossiers.filter(timeliness.EVER_PAUSED, received_at__isnull=False)
        .select_related("procedure")
        .prefetch_related(Prefetch("pauses", queryset=processing, to_attr="processing_pauses"))
    )
    for dossier in query.iterator(chunk_size=2000):
        yield dossier, dossier.processing_pauses


def overdue_flows(dossiers: QuerySet[Dossier], now: datetime) -> dict[tuple, dict[str, int]]:
    """(key, month) → overdue_started / overdue_stopped, like the SQL passes give for the
    other dossiers: overdue at the end of the months from `started` to `stopped`."""
    flows: dict[tuple, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dossier, pauses in _paused(dossiers):
        closed = dossier.processing_ended_at or dossier.withdrawn_at
        assert dossier.received_at is not None  # _paused() reads received dossiers only
        month, was = _month_start(dossier.received_at), False
        while _end_of(month) <= now or month == _month_start(now):
            end = _end_of(month)
            is_open = closed is None or closed >= end
            state = is_open and timeliness.is_overdue_at(dossier, pauses, end)
            if state != was:
                name = "overdue_started" if state else "overdue_stopped"
                flows[(*_key(dossier), month)][name] += 1
            was = state
            if not is_open:
                break
            month = _next_month(month)
    return flows


def open_overdue(dossiers: QuerySet[Dossier], now: datetime) -> dict[Key, int]:
    counts: dict[Key, int] = defaultdict(int)
    for dossier, pauses in _paused(
        dossiers.filter(processing_ended_at__isnull=True, withdrawn_at__isnull=True)
    ):
        if timeliness.is_overdue_at(dossier, pauses, now):
            counts[_key(dossier)] += 1
    return counts
