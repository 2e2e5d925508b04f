"""From the temporary table of reporting.snapshots.groups to the snapshot rows: the groups
summed by key and by the month of each event into MonthlyFlow, and by key into
OpenOverdue; then the overdue months of the dossiers ever paused (reporting.paused) added.
The SQL is put together from this module's own names and numbers, never from input, and
every value goes as a parameter (hence `noqa: S608`)."""

from datetime import datetime

from django.db import connection
from django.db.models import F, Model, QuerySet

from dossiers.models import Dossier
from procedures.models import Procedure
from reporting import paused
from reporting.indicators import counted
from reporting.models import MonthlyFlow, OpenOverdue
from reporting.snapshots.groups import FLOW_EVENTS, NEW_FLOWS, SCRATCH, any_paused, column, execute

SNAPSHOT_KEY = ["unit", "agency", "reception_point", "procedure", "sector"]
FLOWS = MonthlyFlow._meta.db_table
GROUP_COLUMNS = "g.unit_id, g.agency_id, g.reception_point_id, g.procedure_id"
# The month of each event of a group, from its columns (SQL on the temporary table).
STOPPED = "COALESCE(g.month_resolved, g.month_withdrawn)"
EVENT_MONTHS = {
    "received": "g.month_received",
    "resolved": "g.month_resolved",
    "withdrawn": "g.month_withdrawn",
    "returned": "COALESCE(g.month_returned, g.month_resolved)",
    "evaluated": "COALESCE(g.month_evaluated, g.month_returned, g.month_resolved)",
    "overdue_started": "g.month_overdue",
    "overdue_stopped": f"CASE WHEN g.month_overdue IS NOT NULL THEN {STOPPED} END",
}
ROW_KEY = ["unit_id", "agency_id", "reception_point_id", "procedure_id", "sector_id", "month"]
FLOW_FIELDS = ", ".join([*ROW_KEY, *FLOW_EVENTS])


def _insert(model: type[Model], fields: list[str], select: str, params: tuple = ()) -> int:
    quote = connection.ops.quote_name
    # Concrete fields, each with its column (None in the stubs: before the class is built).
    columns = ", ".join(
        quote(model._meta.get_field(name).column)  # type: ignore[union-attr,arg-type]
        for name in fields
    )
    return execute(f"INSERT INTO {quote(model._meta.db_table)} ({columns}) {select}", params)


def stage(dossiers: QuerySet[Dossier], now: datetime) -> None:
    """The new flow rows of the grouped dossiers, in a second temporary table."""
    execute(f"CREATE TEMPORARY TABLE {NEW_FLOWS} AS {_flows_select()}")
    if not any_paused():
        return
    for (*key, month), counts in paused.overdue_flows(counted(dossiers), now).items():
        started, stopped = counts.get("overdue_started", 0), counts.get("overdue_stopped", 0)
        unit, agency, point, procedure, sector = key
        added = execute(
            f"UPDATE {NEW_FLOWS} SET overdue_started = overdue_started + %s, "  # noqa: S608
            "overdue_stopped = overdue_stopped + %s WHERE unit_id = %s AND agency_id = %s "
            "AND COALESCE(reception_point_id, 0) = %s AND procedure_id = %s AND month = %s",
            (started, stopped, unit, agency, point or 0, procedure, month),
        )
        if not added:
            counts = dict.fromkeys(FLOW_EVENTS, 0) | {
                "overdue_started": started,
                "overdue_stopped": stopped,
            }
            values = ", ".join(["%s"] * (len(ROW_KEY) + len(counts)))
            execute(
                f"INSERT INTO {NEW_FLOWS} ({FLOW_FIELDS}) VALUES ({values})",  # noqa: S608
                (unit, agency, point, procedure, sector, month, *counts.values()),
            )


def _flows_select() -> str:
    # The groups summed once per event, by key and the month of that event (the counts
    # of its flows in as many columns as the event with most flows), then all by key and
    # month.
    events = list(EVENT_MONTHS)
    flows = {
        event: [name for name, (of, _) in FLOW_EVENTS.items() if of == event] for event in events
    }
    width = max(len(names) for names in flows.values())

    def slot(event: str, number: int) -> str:
        if number >= len(flows[event]):
            return f"CAST(NULL AS integer) AS n{number}"
        return f"CAST(SUM(g.{column(flows[event][number])}) AS integer) AS n{number}"

    per_event = " UNION ALL ".join(
        f"SELECT {GROUP_COLUMNS}, {month} AS month, {kind} AS kind, "  # noqa: S608
        f"{', '.join(slot(event, number) for number in range(width))} FROM {SCRATCH} AS g "
        f"WHERE {month} IS NOT NULL AND g.{column(flows[event][0])} > 0 GROUP BY 1, 2, 3, 4, 5"
        for kind, (event, month) in enumerate(EVENT_MONTHS.items())
    )
    sums = ", ".join(
        f"COALESCE(SUM(u.n{flows[event].index(name)}) "
        f"FILTER (WHERE u.kind = {events.index(event)}), 0) AS {name}"
        for name, (event, _) in FLOW_EVENTS.items()
    )
    return (
        f"SELECT {GROUP_COLUMNS.replace('g.', 'u.')}, p.sector_id, u.month, {sums} "  # noqa: S608
        f"FROM ({per_event}) AS u JOIN {Procedure._meta.db_table} AS p "
        "ON p.id = u.procedure_id GROUP BY 1, 2, 3, 4, 5, 6"
    )


def insert() -> int:
    """Insert every new flow row (of keys whose old rows are deleted); returns how many. In
    key order, which fills the table's indexes page after page."""
    return execute(
        f"INSERT INTO {FLOWS} ({FLOW_FIELDS}) SELECT {FLOW_FIELDS} FROM {NEW_FLOWS} "  # noqa: S608
        "ORDER BY unit_id, agency_id, reception_point_id, procedure_id, month"
    )


def replace() -> dict[str, int]:
    """Make MonthlyFlow equal to the new flow rows, writing only the rows that differ: a
    nightly refresh changes the rows of a month or two, and a table rewritten whole
    every night pays for every row in its indexes and the dead rows left behind."""
    # A null reception point matches a null one; the coalesced keys can be hash-joined.
    same_key = (
        "f.unit_id = n.unit_id AND f.agency_id = n.agency_id AND f.procedure_id = "
        "n.procedure_id AND COALESCE(f.reception_point_id, 0) = COALESCE(n.reception_point_id, "
        "0) AND f.month = n.month"
    )
    counts = ["sector_id", *FLOW_EVENTS]
    changes = {
        "deleted": execute(
            f"DELETE FROM {FLOWS} AS f WHERE NOT EXISTS "  # noqa: S608
            f"(SELECT 1 FROM {NEW_FLOWS} AS n WHERE {same_key})"
        ),
        "updated": execute(
            f"UPDATE {FLOWS} AS f SET {', '.join(f'{c} = n.{c}' for c in counts)} "  # noqa: S608
            f"FROM {NEW_FLOWS} AS n WHERE {same_key} AND "
            f"({', '.join(f'f.{c}' for c in counts)}) <> ({', '.join(f'n.{c}' for c in counts)})"
        ),
        "rows": _count(NEW_FLOWS),
    }
    # Left with the rows to add, inserted by a statement that reads nothing else: one that
    # also looked for them in MonthlyFlow would scan again, for each row, those it has just
    # written (invisible to it, but there), when the planner takes the table for empty.
    execute(
        f"DELETE FROM {NEW_FLOWS} AS n WHERE EXISTS "  # noqa: S608
        f"(SELECT 1 FROM {FLOWS} AS f WHERE {same_key})"
    )
    changes["inserted"] = insert()
    # The dashboards' plans, and the next refresh's, need the table's new size.
    execute(f"ANALYZE {FLOWS}")
    return changes


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def keys() -> int:
    """How many keys the new flow rows have."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COUNT(*) FROM (SELECT DISTINCT unit_id, agency_id, reception_point_id, "  # noqa: S608
            f"procedure_id FROM {NEW_FLOWS}) AS k"
        )
        return cursor.fetchone()[0]


def write_open_overdue(dossiers: QuerySet[Dossier], now: datetime) -> None:
    """OpenOverdue rows from the temporary table, then those of the grouped `dossiers` ever
    paused."""
    select = (
        f"SELECT {GROUP_COLUMNS}, p.sector_id, SUM(g.open_overdue) FROM {SCRATCH} AS g "  # noqa: S608
        f"JOIN {Procedure._meta.db_table} AS p ON p.id = g.procedure_id "
        "GROUP BY 1, 2, 3, 4, 5 HAVING SUM(g.open_overdue) > 0"
    )
    _insert(OpenOverdue, [*SNAPSHOT_KEY, "count"], select)
    if any_paused():
        _add_paused_open_overdue(dossiers, now)


def _add_paused_open_overdue(dossiers: QuerySet[Dossier], now: datetime) -> None:
    for key, count in paused.open_overdue(counted(dossiers), now).items():
        unit, agency, point, procedure, sector = key
        rows = OpenOverdue.objects.filter(
            unit_id=unit, agency_id=agency, reception_point_id=point, procedure_id=procedure
        )
        if not rows.update(count=F("count") + count):
            OpenOverdue.objects.create(
                unit_id=unit,
                agency_id=agency,
                reception_point_id=point,
                procedure_id=procedure,
                sector_id=sector,
                count=count,
            )
