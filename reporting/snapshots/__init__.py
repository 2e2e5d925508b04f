"""Indicator snapshots: monthly flows per (unit, agency, reception point, procedure),
rebuilt in one pass over the dossier table (reporting.snapshots.groups), and read back for
any scope, period of whole months and filter by summing (reporting.models.MonthlyFlow)."""

from datetime import date, timedelta

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from reporting.indicators import COUNT_NAMES, Indicators, Period, Scope, compute
from reporting.models import FLOWS, MonthlyFlow, OpenOverdue, RefreshState
from reporting.snapshots.refresh import RefreshLockedError as RefreshLockedError
from reporting.snapshots.refresh import refresh_changed as refresh_changed
from reporting.snapshots.refresh import refresh_full as refresh_full


def open_overdue(scope: Scope) -> int:
    """Dossiers of the scope open and overdue at the last refresh."""
    rows = scope.snapshot_rows(OpenOverdue.objects.all())
    return rows.aggregate(n=Coalesce(Sum("count"), 0))["n"]


def whole_months(period: Period) -> bool:
    after_end = period.end.replace(day=28) + timedelta(days=4)
    return period.start.day == 1 and (after_end - timedelta(days=after_end.day)) == period.end


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
    assert state.watermark is not None  # covering_state() checked it
    running = period.end_at > state.watermark
    return Indicators(counts_of(sums, open_overdue(scope) if running else None))


def month_starts(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months
