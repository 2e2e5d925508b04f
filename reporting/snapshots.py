"""Indicator snapshots: monthly flows per (unit, agency, reception point, procedure),
rebuilt in a handful of GROUP BY passes over the dossier table, and read back for any
scope, period of whole months and filter by summing (reporting.models.MonthlyFlow)."""

import time
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.db import transaction
from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Greatest, Trunc
from django.utils import timezone

from dossiers.models import Dossier, Evaluation
from procedures.calendar import LOCAL_TIME
from reporting.indicators import (
    COUNT_NAMES,
    EVALUATION_COUNTS,
    RECEIVED_SPLITS,
    RESOLVED_SPLITS,
    RETURNED_SPLITS,
    Indicators,
    Period,
    Scope,
    compute,
    with_days,
)
from reporting.models import FLOWS, MonthlyFlow, OpenOverdue, RefreshState

KEY = ("unit_id", "agency_id", "reception_point_id", "procedure_id", "procedure__sector_id")
BATCH = 5000

Key = tuple[int, int, int | None, int, int]


def _month(expression: object) -> Trunc:
    return Trunc(expression, "month", output_field=DateField(), tzinfo=LOCAL_TIME)


def _counted(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """Received dossiers; an interconnected parent is counted through its members."""
    return dossiers.filter(received_at__isnull=False).exclude(
        interconnection_group__isnull=False, parent__isnull=True
    )


def _passes(dossiers: QuerySet[Dossier]) -> Iterable[tuple[QuerySet, str]]:
    """(grouped query, name of its month column): one pass over the table each."""
    counted = _counted(dossiers)
    yield (
        counted.annotate(m=_month("received_at"))
        .values(*KEY, "m")
        .annotate(**{n: Count("pk", filter=q) for n, q in RECEIVED_SPLITS.items()}),
        "m",
    )
    yield (
        with_days(counted.filter(processing_ended_at__isnull=False))
        .annotate(m=_month("processing_ended_at"))
        .values(*KEY, "m")
        .annotate(**{n: Count("pk", filter=q) for n, q in RESOLVED_SPLITS.items()}),
        "m",
    )
    yield (
        counted.filter(withdrawn_at__isnull=False)
        .annotate(m=_month("withdrawn_at"))
        .values(*KEY, "m")
        .annotate(withdrawn=Count("pk")),
        "m",
    )
    yield (
        counted.filter(returned_at__isnull=False)
        .annotate(m=_month("returned_at"))
        .values(*KEY, "m")
        .annotate(**{n: Count("pk", filter=q) for n, q in RETURNED_SPLITS.items()}),
        "m",
    )
    # Overdue at the end of every month from the one where it fell due (or was received,
    # if later) until the one where it was closed.
    overdue = (
        counted.filter(due_at__isnull=False)
        .annotate(
            started=_month(Greatest("due_at", "received_at")),
            stopped=_month(Coalesce("processing_ended_at", "withdrawn_at")),
        )
        .filter(Q(stopped__isnull=True) | Q(stopped__gt=F("started")))
    )
    yield overdue.values(*KEY, "started").annotate(overdue_started=Count("pk")), "started"
    yield (
        overdue.filter(stopped__isnull=False)
        .values(*KEY, "stopped")
        .annotate(overdue_stopped=Count("pk")),
        "stopped",
    )
    evaluation_key = tuple(f"dossier__{name}" for name in KEY)
    yield (
        Evaluation.objects.filter(dossier__in=counted)
        .annotate(m=_month("evaluated_at"))
        .values(*evaluation_key, "m")
        .annotate(**EVALUATION_COUNTS),
        "m",
    )


def _flows(dossiers: QuerySet[Dossier]) -> dict[tuple, dict[str, int]]:
    rows: dict[tuple, dict[str, int]] = defaultdict(dict)
    for query, month in _passes(dossiers):
        for row in query.iterator(chunk_size=BATCH):
            key = tuple(row.pop(k if k in row else f"dossier__{k}") for k in KEY)
            rows[(*key, row.pop(month))].update(row)
    return rows


def _open_overdue(dossiers: QuerySet[Dossier], now: datetime) -> list[OpenOverdue]:
    counted = _counted(dossiers).filter(
        processing_ended_at__isnull=True, withdrawn_at__isnull=True, due_at__lt=now
    )
    return [
        OpenOverdue(
            unit_id=row["unit_id"],
            agency_id=row["agency_id"],
            reception_point_id=row["reception_point_id"],
            procedure_id=row["procedure_id"],
            sector_id=row["procedure__sector_id"],
            count=row["n"],
        )
        for row in counted.values(*KEY).annotate(n=Count("pk")).iterator(chunk_size=BATCH)
    ]


def _rows(flows: dict[tuple, dict[str, int]]) -> Iterable[MonthlyFlow]:
    for (unit, agency, point, procedure, sector, month), counts in flows.items():
        yield MonthlyFlow(
            unit_id=unit,
            agency_id=agency,
            reception_point_id=point,
            procedure_id=procedure,
            sector_id=sector,
            month=month,
            **counts,
        )


def _state() -> RefreshState:
    return RefreshState.objects.select_for_update().get_or_create(pk=1)[0]


def refresh_full() -> dict[str, float]:
    """Rebuild every snapshot row (nightly)."""
    began, now = time.monotonic(), timezone.now()
    with transaction.atomic():
        state = _state()  # one refresh at a time
        flows = _flows(Dossier.objects.all())
        MonthlyFlow.objects.all().delete()
        MonthlyFlow.objects.bulk_create(_rows(flows), batch_size=BATCH)
        OpenOverdue.objects.all().delete()
        OpenOverdue.objects.bulk_create(_open_overdue(Dossier.objects.all(), now), batch_size=BATCH)
        state.full_at = state.watermark = now
        state.duration_seconds = time.monotonic() - began
        state.save()
    return {"rows": len(flows), "seconds": round(state.duration_seconds, 3)}


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
            flows = _flows(Dossier.objects.filter(mine))
            MonthlyFlow.objects.filter(mine).delete()
            MonthlyFlow.objects.bulk_create(_rows(flows), batch_size=BATCH)
        # The overdue-now counts move with the clock, for every key.
        OpenOverdue.objects.all().delete()
        OpenOverdue.objects.bulk_create(_open_overdue(Dossier.objects.all(), now), batch_size=BATCH)
        state.incremental_at = state.watermark = now
        state.save()
    return {"keys": len(keys), "seconds": round(time.monotonic() - began, 3)}


def _scoped(rows: QuerySet, scope: Scope) -> QuerySet:
    if scope.unit_ids:
        rows = rows.filter(unit_id__in=scope.unit_ids)
    if scope.agency_id is not None:
        rows = rows.filter(agency_id=scope.agency_id)
    if scope.reception_point_id is not None:
        rows = rows.filter(reception_point_id=scope.reception_point_id)
    if scope.sector_id is not None:
        rows = rows.filter(sector_id=scope.sector_id)
    if scope.procedure_id is not None:
        rows = rows.filter(procedure_id=scope.procedure_id)
    return rows


def whole_months(period: Period) -> bool:
    after_end = period.end.replace(day=28) + timezone.timedelta(days=4)
    return (
        period.start.day == 1 and (after_end - timezone.timedelta(days=after_end.day)) == period.end
    )


def indicators(scope: Scope, period: Period) -> Indicators:
    """From the snapshot when the period is made of whole months and the snapshot exists;
    live otherwise. One aggregate query over the flow rows."""
    state = RefreshState.objects.filter(pk=1).first()
    if not whole_months(period) or state is None or state.watermark is None:
        return compute(scope, period)
    first, last = period.start, period.end.replace(day=1)
    rows = _scoped(MonthlyFlow.objects.filter(month__lte=last), scope)
    inside, before = Q(month__gte=first), Q(month__lt=first)
    sums = rows.aggregate(
        **{f"in_{name}": Coalesce(Sum(name, filter=inside), 0) for name in FLOWS},
        **{
            f"all_{name}": Coalesce(Sum(name), 0)
            for name in ("received", "resolved", "withdrawn", "overdue_started", "overdue_stopped")
        },
        **{
            f"before_{name}": Coalesce(Sum(name, filter=before), 0)
            for name in ("received", "resolved", "withdrawn")
        },
    )
    counts = {name: sums[f"in_{name}"] for name in FLOWS if name in COUNT_NAMES}
    counts["carried_over"] = (
        sums["before_received"] - sums["before_resolved"] - sums["before_withdrawn"]
    )
    counts["to_process"] = counts["received"] + counts["carried_over"]
    counts["in_progress"] = sums["all_received"] - sums["all_resolved"] - sums["all_withdrawn"]
    if period.end_at > state.watermark:
        # The period has not ended: overdue as of the last refresh.
        overdue = _scoped(OpenOverdue.objects.all(), scope).aggregate(n=Coalesce(Sum("count"), 0))[
            "n"
        ]
    else:
        overdue = sums["all_overdue_started"] - sums["all_overdue_stopped"]
    counts["in_progress_overdue"] = overdue
    counts["in_progress_within_deadline"] = counts["in_progress"] - overdue
    return Indicators({name: counts[name] for name in COUNT_NAMES})


def month_starts(start: date, end: date) -> list[date]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return months
