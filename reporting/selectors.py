"""What the managers' dashboards read: indicators of a unit, of each unit below it and of
each month, from the snapshot, in a few grouped queries."""

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cached_property
from typing import Any, Unpack

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers import timeliness
from dossiers.models import Dossier
from dossiers.selectors import dossiers_visible_to
from portal.models import User
from portal.roles import Role
from procedures.calendar import LOCAL_TIME
from procedures.models import AdministrativeUnit
from procedures.search import fold
from procedures.selectors import officer_scope
from reporting import index766
from reporting.figures_cache import cached_figures
from reporting.index766 import GroupScore
from reporting.indicators import Indicators, Period, Scope, ScopeFilters
from reporting.models import FLOWS, MonthlyFlow, OpenOverdue, RefreshState, Target
from reporting.snapshots import STOCK_SOURCES, counts_of, month_starts, open_overdue, sums_of
from reporting.snapshots import indicators as snapshot_indicators


def managed_units(user: User) -> QuerySet[AdministrativeUnit]:
    """The units a manager may look at: their own with all descendants (superusers: all)."""
    if user.is_superuser:
        return AdministrativeUnit.objects.all()
    scope = officer_scope(user=user, role=Role.MANAGER)
    # The subtree as a subquery: a province is some 700 units, not worth sending as ids.
    return scope.units() if scope.unit_roots else AdministrativeUnit.objects.none()


def top_units(user: User) -> QuerySet[AdministrativeUnit]:
    units = managed_units(user)
    return units.exclude(parent__in=units).order_by("code")


def _group_sums(rows: QuerySet[Any], group: str, period: Period) -> dict[Any, dict[str, int]]:
    grouped = (
        rows.filter(month__lte=period.end.replace(day=1))
        .values(group)
        .annotate(**sums_of(period.start))
    )
    return {row.pop(group): row for row in grouped}


def _add(total: dict[str, int], part: dict[str, int]) -> None:
    for name, value in part.items():
        total[name] = total.get(name, 0) + value


@dataclass(frozen=True)
class UnitRow:
    unit: AdministrativeUnit
    indicators: Indicators


def children_indicators(
    unit: AdministrativeUnit, period: Period, *, sector_id: int | None = None
) -> list[UnitRow]:
    """Each unit directly below `unit` (closed districts included for old periods), with
    everything below it: one grouped query over the snapshot."""
    children = list(
        unit.children.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=period.end),
            Q(valid_to__isnull=True) | Q(valid_to__gte=period.start),
        )
    )
    children.sort(key=lambda child: fold(child.name))  # alphabetical, diacritics aside
    if not children:
        return []
    owner: dict[int, int] = {child.pk: child.pk for child in children}
    frontier = {child.pk for child in children}
    while frontier:  # at most two more levels
        below = AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list(
            "pk", "parent_id"
        )
        frontier = set()
        for pk, parent in below:
            owner[pk] = owner[parent]
            frontier.add(pk)
    rows = MonthlyFlow.objects.filter(unit_id__in=owner)
    if sector_id is not None:
        rows = rows.filter(sector_id=sector_id)
    state = RefreshState.objects.filter(pk=1).first()
    running = state is None or state.watermark is None or period.end_at > state.watermark
    sums: dict[int, dict[str, int]] = defaultdict(dict)
    for unit_id, row in _group_sums(rows, "unit_id", period).items():
        _add(sums[owner[unit_id]], row)
    overdue_now: dict[int, int] = defaultdict(int)
    if running:
        open_rows = OpenOverdue.objects.filter(unit_id__in=owner)
        if sector_id is not None:
            open_rows = open_rows.filter(sector_id=sector_id)
        for unit_id, count in open_rows.values_list("unit_id", "count"):
            overdue_now[owner[unit_id]] += count
    empty = {f"{prefix}_{n}": 0 for prefix in ("in", "all", "before") for n in FLOWS}
    return [
        UnitRow(
            child,
            Indicators(
                counts_of(sums.get(child.pk) or empty, overdue_now[child.pk] if running else None)
            ),
        )
        for child in children
    ]


@dataclass(frozen=True)
class MonthRow:
    month: date
    indicators: Indicators


def monthly_indicators(scope: Scope, period: Period) -> list[MonthRow]:
    """Each month of the period up to the last refresh, with its own carried-over and
    in-progress stocks; the month still running counts overdue as of the refresh."""
    state = RefreshState.objects.filter(pk=1).first()
    if state is None or state.watermark is None:
        return []
    now = state.watermark.astimezone(LOCAL_TIME).date()
    months = [m for m in month_starts(period.start, period.end) if m <= now]
    if not months:
        return []
    rows = scope.snapshot_rows(MonthlyFlow.objects.filter(month__lte=months[-1]))
    flows = {
        row.pop("month"): row
        for row in rows.values("month").annotate(**{n: Coalesce(Sum(n), 0) for n in FLOWS})
    }
    running = dict.fromkeys(STOCK_SOURCES, 0)
    result = []
    for month in sorted(set(flows) | set(months)):
        row = flows.get(month, dict.fromkeys(FLOWS, 0))
        before = dict(running)
        for name in STOCK_SOURCES:
            running[name] += row[name]
        if month < months[0]:
            continue
        sums = {f"in_{n}": row[n] for n in FLOWS}
        sums |= {f"all_{n}": running[n] for n in STOCK_SOURCES}
        sums |= {f"before_{n}": before[n] for n in STOCK_SOURCES[:3]}
        running_month = month == months[-1] and month == now.replace(day=1)
        overdue_now = open_overdue(scope) if running_month else None
        result.append(MonthRow(month, Indicators(counts_of(sums, overdue_now))))
    return result


@dataclass(frozen=True)
class Status:
    """Red / amber / green against a manager's target."""

    colour: str
    target: float


def target_status(unit: AdministrativeUnit, rates: dict[str, float | None]) -> dict[str, Status]:
    """Targets of the unit or, failing that, of its nearest ancestor that has one."""
    chain: list[int] = []
    current: AdministrativeUnit | None = unit
    while current is not None:
        chain.append(current.pk)
        current = current.parent
    targets: dict[str, Target] = {}
    for target in Target.objects.filter(unit_id__in=chain):
        known = targets.get(target.indicator)
        if known is None or chain.index(target.unit_id) < chain.index(known.unit_id):
            targets[target.indicator] = target
    statuses = {}
    for name, target in targets.items():
        value = rates.get(name)
        if value is None:
            continue
        goal, margin = float(target.value), float(target.amber_margin)
        gap = (value - goal) if not target.lower_is_better else (goal - value)
        colour = "green" if gap >= 0 else ("amber" if gap >= -margin else "red")
        statuses[name] = Status(colour, goal)
    return statuses


def unit_indicators(
    unit: AdministrativeUnit, period: Period, **filters: Unpack[ScopeFilters]
) -> Indicators:
    return snapshot_indicators(Scope.of_unit(unit, **filters), period)


@dataclass(frozen=True)
class Figures:
    """What a dashboard shows of a unit and period, the same for every manager who may see
    it: kept in the shared cache until the next refresh (reporting.figures_cache)."""

    indicators: Indicators
    statuses: dict[str, Status]
    children: list[UnitRow]
    months: list[MonthRow]
    index_version: str
    index: list[GroupScore]


def figures(unit: AdministrativeUnit, period: Period, *, sector_id: int | None) -> Figures:
    scope = Scope.of_unit(unit, sector_id=sector_id)
    result = snapshot_indicators(scope, period)
    year = Period(date(period.start.year, 1, 1), date(period.start.year, 12, 31))
    index_version, index = index766.score(scope, period, result)
    return Figures(
        indicators=result,
        statuses=target_status(unit, result.rates),
        children=children_indicators(unit, period, sector_id=sector_id),
        months=monthly_indicators(scope, year),
        index_version=index_version,
        index=index,
    )


@dataclass(frozen=True)
class Dashboard:
    """A manager's dashboard of a unit and period. Its figures are read (from the shared
    cache, else from the snapshot) the first time one of them is asked for: a page whose
    rendered figures are kept needs none."""

    unit: AdministrativeUnit
    period: Period
    sector_id: int | None
    ancestors: list[AdministrativeUnit]
    refreshed_at: datetime | None

    @cached_property
    def figures(self) -> Figures:
        return cached_figures(
            self.cache_parts("dashboard"),
            lambda: figures(self.unit, self.period, sector_id=self.sector_id),
        )

    def cache_parts(self, kind: str) -> tuple[Hashable, ...]:
        """What a cached rendering of this dashboard's figures depends on."""
        period = self.period
        return (kind, self.unit.pk, period.start, period.end, self.sector_id, self.refreshed_at)

    @property
    def indicators(self) -> Indicators:
        return self.figures.indicators

    @property
    def statuses(self) -> dict[str, Status]:
        return self.figures.statuses

    @property
    def children(self) -> list[UnitRow]:
        return self.figures.children

    @property
    def months(self) -> list[MonthRow]:
        return self.figures.months

    @property
    def index_version(self) -> str:
        return self.figures.index_version

    @property
    def index(self) -> list[GroupScore]:
        return self.figures.index


def dashboard(
    user: User, unit: AdministrativeUnit, period: Period, *, sector_id: int | None = None
) -> Dashboard:
    """Everything a manager's dashboard shows: the figures from the snapshot (a handful
    of queries, or none between two refreshes) and the way up the manager may go."""
    ancestors: list[AdministrativeUnit] = []
    current = unit.parent
    allowed = officer_scope(user=user, role=Role.MANAGER).unit_ids
    while current is not None and (user.is_superuser or current.pk in allowed):
        ancestors.insert(0, current)
        current = current.parent
    state = RefreshState.objects.filter(pk=1).first()
    return Dashboard(
        unit=unit,
        period=period,
        sector_id=sector_id,
        ancestors=ancestors,
        refreshed_at=state.watermark if state else None,
    )


def overdue_dossiers(
    user: User, unit: AdministrativeUnit, *, sector_id: int | None = None
) -> QuerySet[Dossier]:
    """Dossiers of the unit and below, open and past their due time now, most overdue
    first (live, not from the snapshot), among those the user may see."""
    open_now = dossiers_visible_to(user).filter(
        pk__in=Scope.of_unit(unit, sector_id=sector_id).dossiers().values("pk"),
        processing_ended_at__isnull=True,
        withdrawn_at__isnull=True,
    )
    return (
        timeliness.overdue_at(open_now, timezone.now())
        .select_related("procedure", "agency")
        .order_by("due_at")
    )
