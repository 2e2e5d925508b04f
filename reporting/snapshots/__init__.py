"""Indicator snapshots: monthly flows per (unit, agency, reception point, procedure),
rebuilt in one pass over the dossier table (reporting.snapshots.groups), and read back for
any scope, period of whole months and filter by summing (reporting.models.MonthlyFlow)."""

import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers.models import Dossier
from reporting.indicators import COUNT_NAMES, Indicators, Period, Scope, compute
from reporting.models import FLOWS, MonthlyFlow, OpenOverdue, RefreshState
from reporting.snapshots import flows, groups
from reporting.snapshots.groups import KEY

# For the one statement that reads every dossier: PostgreSQL's default 4 MB per sort or
# hash would spill to disk what fits in memory many times over; compiling its many
# expressions to machine code (JIT) takes a second on each core and saves less; and the
# leader process has enough to do gathering the workers' groups.
SETTINGS = {"work_mem": "64MB", "jit": "off", "parallel_leader_participation": "off"}


def _state() -> RefreshState:
    return RefreshState.objects.select_for_update().get_or_create(pk=1)[0]


def _tune() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for name, value in SETTINGS.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def refresh_full() -> dict[str, float]:
    """Rebuild every snapshot row (nightly), writing only those that changed."""
    began, now = time.monotonic(), timezone.now()
    with transaction.atomic():
        state = _state()  # one refresh at a time
        _tune()
        groups.group(Dossier.objects.all(), now)
        flows.stage(Dossier.objects.all(), now)
        changes = flows.replace()
        OpenOverdue.objects.all().delete()
        flows.write_open_overdue(now)
        groups.drop()
        state.full_at = state.watermark = now
        state.duration_seconds = time.monotonic() - began
        state.save()
    return {**changes, "seconds": round(state.duration_seconds, 3)}


def refresh_changed() -> dict[str, float]:
    """Rebuild the rows of the keys whose dossiers or evaluations changed since the last
    refresh (every few minutes)."""
    began, now = time.monotonic(), timezone.now()
    with transaction.atomic():
        state = _state()
        if state.watermark is None:
            return refresh_full()
        since = state.watermark
        changed = Dossier.objects.filter(
            Q(updated_at__gt=since) | Q(evaluation__evaluated_at__gt=since)
        )
        keys = set(changed.values_list(*KEY).distinct())
        if keys:
            mine = Q()
            for unit, agency, point, procedure, _ in keys:
                mine |= Q(
                    unit_id=unit, agency_id=agency, reception_point_id=point, procedure_id=procedure
                )
            groups.group(Dossier.objects.filter(mine), now)
            flows.stage(Dossier.objects.filter(mine), now)
            MonthlyFlow.objects.filter(mine).delete()
            flows.insert()
            groups.drop()
        # The overdue-now counts move with the clock, for every key.
        OpenOverdue.objects.all().delete()
        flows.write_open_overdue_of_all(now)
        state.incremental_at = state.watermark = now
        state.save()
    return {"keys": len(keys), "seconds": round(time.monotonic() - began, 3)}


def open_overdue(scope: Scope) -> int:
    """Dossiers of the scope open and overdue at the last refresh."""
    rows = scope.snapshot_rows(OpenOverdue.objects.all())
    return rows.aggregate(n=Coalesce(Sum("count"), 0))["n"]


def whole_months(period: Period) -> bool:
    after_end = period.end.replace(day=28) + timezone.timedelta(days=4)
    return (
        period.start.day == 1 and (after_end - timezone.timedelta(days=after_end.day)) == period.end
    )


def covering_state(period: Period) -> RefreshState | None:
    """The snapshot's state when it can answer for `period` (whole months, and built at
    least once); None otherwise."""
    if not whole_months(period):
        return None
    state = RefreshState.objects.filter(pk=1).first()
    return state if state is not None and state.watermark is not None else None


def procedures_with(scope: Scope, period: Period, flow: str, *, live: Q) -> QuerySet:
    """Ids of the procedures with at least one dossier of `flow` received in the period:
    from the snapshot's monthly rows when it covers the period, else from the dossiers
    matching `live` (the same condition)."""
    if covering_state(period) is not None:
        rows = MonthlyFlow.objects.filter(
            month__gte=period.start, month__lte=period.end.replace(day=1), **{f"{flow}__gt": 0}
        )
        return scope.snapshot_rows(rows).values("procedure_id")
    dossiers = scope.dossiers().filter(
        live, received_at__gte=period.start_at, received_at__lt=period.end_at
    )
    return dossiers.values("procedure_id")


# The flows summed over all months up to the period's end (stocks) and before its start
# (carried over), beside those inside it.
STOCK_SOURCES = ("received", "resolved", "withdrawn", "overdue_started", "overdue_stopped")


def sums_of(first: date) -> dict[str, Coalesce]:
    """The aggregates of flow rows (up to the period's last month) for a period starting on
    `first`: in_<flow>, all_<stock source>, before_<received|resolved|withdrawn>."""
    inside, before = Q(month__gte=first), Q(month__lt=first)
    return {
        **{f"in_{name}": Coalesce(Sum(name, filter=inside), 0) for name in FLOWS},
        **{f"all_{name}": Coalesce(Sum(name), 0) for name in STOCK_SOURCES},
        **{f"before_{name}": Coalesce(Sum(name, filter=before), 0) for name in STOCK_SOURCES[:3]},
    }


def counts_of(sums: dict[str, int], overdue_now: int | None) -> dict[str, int]:
    """The counts of RULES.md §6 from those sums; `overdue_now` (open and overdue at the
    last refresh) when the period has not ended, else the overdue stock at its end."""
    counts = {name: sums[f"in_{name}"] for name in FLOWS if name in COUNT_NAMES}
    counts["carried_over"] = (
        sums["before_received"] - sums["before_resolved"] - sums["before_withdrawn"]
    )
    counts["to_process"] = counts["received"] + counts["carried_over"]
    counts["in_progress"] = sums["all_received"] - sums["all_resolved"] - sums["all_withdrawn"]
    overdue = (
        overdue_now
        if overdue_now is not None
        else sums["all_overdue_started"] - sums["all_overdue_stopped"]
    )
    counts["in_progress_overdue"] = overdue
    counts["in_progress_within_deadline"] = counts["in_progress"] - overdue
    return {name: counts[name] for name in COUNT_NAMES}


def indicators(scope: Scope, period: Period) -> Indicators:
    """From the snapshot when it covers the period; live otherwise. One aggregate query over
    the flow rows."""
    state = covering_state(period)
    if state is None:
        return compute(scope, period)
    rows = scope.snapshot_rows(MonthlyFlow.objects.filter(month__lte=period.end.replace(day=1)))
    sums = rows.aggregate(**sums_of(period.start))
    # A period not yet ended counts overdue as of the last refresh.
    running = period.end_at > state.watermark
    return Indicators(counts_of(sums, open_overdue(scope) if running else None))


def month_starts(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months
