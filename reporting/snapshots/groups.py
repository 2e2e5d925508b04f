"""The one pass over the dossiers behind a snapshot refresh: an ORM query groups the
counted dossiers by key and by the months of their events, and counts how many of each
group fall in each split of RULES.md §6 (the Q objects of reporting.indicators, so that the
snapshot counts what the live computation counts). The groups go into a temporary table,
which PostgreSQL fills in parallel: it runs a query that creates a table on every core,
never one that inserts into an existing table. reporting.snapshots.flows sums them.

Most dossiers are returned in the month they are resolved and evaluated in the month they
are returned, so a group records the month of a return or an evaluation only when it
differs (null otherwise), and the month an overdue interval starts only for a dossier
overdue at the end of some month: two million dossiers make about 170,000 groups instead
of 320,000. No row is loaded into this process: memory stays flat whatever the number of
dossiers."""

from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    DateField,
    DateTimeField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Trunc, TruncDate

from dossiers import timeliness
from dossiers.models import Dossier, Evaluation
from procedures.calendar import LOCAL_TIME
from reporting.indicators import RECEIVED_SPLITS, RESOLVED_SPLITS, RETURNED_SPLITS, counted

KEY = ("unit_id", "agency_id", "reception_point_id", "procedure_id", "procedure__sector_id")
SCRATCH = "reporting_refresh_groups"
NEW_FLOWS = "reporting_refresh_flows"
# Vietnam has kept UTC+07:00, without daylight saving time, since 1975. PostgreSQL converts
# a moment to local time at a fixed offset in half the time it takes to look the zone up
# by name, which it would do for every event of every dossier.
UTC_OFFSET = "07:00"
# Each flow: the event it counts, in the month that event happens, and which of those.
FLOW_EVENTS: dict[str, tuple[str, Q]] = {
    **{name: ("received", split) for name, split in RECEIVED_SPLITS.items()},
    **{name: ("resolved", split) for name, split in RESOLVED_SPLITS.items()},
    "withdrawn": ("withdrawn", Q()),
    **{name: ("returned", split) for name, split in RETURNED_SPLITS.items()},
    "evaluations": ("evaluated", Q()),
    **{rating: ("evaluated", Q(evaluation__rating=rating)) for rating in Evaluation.Rating.values},
    "overdue_started": ("overdue_started", Q()),
    "overdue_stopped": ("overdue_stopped", Q()),
}
# A group mixes dossiers returned (or evaluated) in its month with dossiers not returned.
HAPPENED = {
    "returned": Q(returned_at__isnull=False),
    "evaluated": Q(evaluation__evaluated_at__isnull=False),
}
# Open now; with a time, the never paused of them overdue (reporting.paused counts the others).
OPEN = Q(processing_ended_at__isnull=True, withdrawn_at__isnull=True)
# A group's key and months (`month_…` columns of the temporary table).
GROUP_KEY = KEY[:4]
MONTHS = [
    f"month_{event}"
    for event in ("received", "resolved", "withdrawn", "returned", "evaluated", "overdue")
]


class LocalTime(Func):
    """A moment's local month (its first day) or date, on PostgreSQL."""

    output_field = DateField()

    def __init__(self, expression: str, kind: str) -> None:
        super().__init__(expression)
        self.kind = kind

    def as_sql(self, compiler, connection, *args: Any, **extra_context: Any) -> tuple[str, tuple]:
        sql, params = compiler.compile(self.source_expressions[0])
        local = f"({sql} AT TIME ZONE INTERVAL %s)"
        if self.kind == "month":
            local = f"DATE_TRUNC('month', {local})"
        return f"{local}::date", (*params, UTC_OFFSET)


def _local(expression: str, kind: str) -> Func:
    if connection.vendor == "postgresql":
        return LocalTime(expression, kind)
    if kind == "month":
        return Trunc(expression, "month", output_field=DateField(), tzinfo=LOCAL_TIME)
    return TruncDate(expression, tzinfo=LOCAL_TIME)


def _unless_same(month: str, same_as: str) -> Case:
    """Null when the same as the other month, as for most dossiers."""
    return Case(When(**{month: F(same_as)}, then=None), default=F(month))


def _groups(dossiers: QuerySet[Dossier], now: datetime) -> tuple[str, tuple]:
    """One row per key and months, counting the dossiers of each split. The dossiers' rows
    are a subquery with a volatile column, which PostgreSQL neither merges into the
    grouping (so each dossier's splits are worked out once, before grouping) nor can
    estimate: it then groups in each worker first. Merged, it would guess as many groups
    as dossiers (their moments are all different) and sort every dossier in one process."""
    # Overdue at the end of every month from the one where it fell due (or was received,
    # if later) until the one where it was closed (withdrawn or resolved), if any. Closed
    # after its due time is implied, and checked first: most dossiers are not, and it
    # spares them the months. A dossier ever paused is left to reporting.paused: its due
    # time moved after the fact.
    overdue = (
        timeliness.NEVER_PAUSED
        & Q(due_at__isnull=False)
        & (Q(closed_at__isnull=True) | timeliness.overdue("due_at", F("closed_at")))
        & (Q(stopped__isnull=True) | Q(stopped__gt=F("started")))
    )
    groups = (
        counted(dossiers)
        .annotate(
            ended_day=_local("processing_ended_at", "day"),
            due_day=_local("due_at", "day"),
            month_received=_local("received_at", "month"),
            month_resolved=_local("processing_ended_at", "month"),
            month_withdrawn=_local("withdrawn_at", "month"),
            returned=_local("returned_at", "month"),
            evaluated=_local("evaluation__evaluated_at", "month"),
            started=Greatest(_local("due_at", "month"), "month_received"),
            stopped=Coalesce("month_resolved", "month_withdrawn"),
            closed_at=Coalesce("processing_ended_at", "withdrawn_at"),
        )
        .annotate(
            month_returned=_unless_same("returned", "month_resolved"),
            month_evaluated=_unless_same("evaluated", "returned"),
            month_overdue=Case(When(overdue, then="started")),
        )
        .order_by()
    )
    conditions = {
        column(name): HAPPENED.get(event, Q()) & split
        for name, (event, split) in FLOW_EVENTS.items()
        if HAPPENED.get(event, Q()) & split
    }
    conditions |= {
        "open_overdue": OPEN & timeliness.overdue_unpaused(now),
        "paused": timeliness.EVER_PAUSED,
    }
    fence = {}
    if connection.vendor == "postgresql":
        fence["fence"] = Func(function="clock_timestamp", output_field=DateTimeField())
    dossier_rows = groups.values(*GROUP_KEY, *MONTHS).annotate(
        **{
            name: ExpressionWrapper(q, output_field=BooleanField())
            for name, q in conditions.items()
        },
        **fence,
    )
    inner, params = dossier_rows.query.sql_with_params()
    counts = ", ".join(
        f"CAST(COUNT(*) FILTER (WHERE d.{name}) AS integer) AS {name}" for name in conditions
    )
    columns = ", ".join(f"d.{name}" for name in (*GROUP_KEY, *MONTHS))
    numbers = ", ".join(str(number) for number in range(1, len(GROUP_KEY) + len(MONTHS) + 1))
    select = (
        f"SELECT {columns}, CAST(COUNT(*) AS integer) AS dossiers, {counts} FROM ({inner}) AS d "  # noqa: S608 - names of this module
        f"GROUP BY {numbers}"
    )
    return select, params


def column(flow: str) -> str:
    """The column of the temporary table that counts a flow's dossiers."""
    event, split = FLOW_EVENTS[flow]
    return f"is_{flow}" if HAPPENED.get(event, Q()) & split else "dossiers"


def execute(sql: str, params: tuple = ()) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def group(dossiers: QuerySet[Dossier], now: datetime) -> None:
    """Group `dossiers` into a temporary table (dropped by `drop`)."""
    select, params = _groups(dossiers, now)
    drop()
    execute(f"CREATE TEMPORARY TABLE {SCRATCH} AS {select}", params)


def any_paused() -> bool:
    """Whether a grouped dossier was ever paused (reporting.paused walks those)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT 1 FROM {SCRATCH} WHERE paused > 0 LIMIT 1")  # noqa: S608 - this module's name
        return cursor.fetchone() is not None


def drop() -> None:
    execute(f"DROP TABLE IF EXISTS {SCRATCH}")
    execute(f"DROP TABLE IF EXISTS {NEW_FLOWS}")
