"""Bringing the snapshot up to date: the full rebuild (nightly, `kpi_refresh --full`) and
the incremental one (every few minutes, `kpi_refresh`), one at a time.

The incremental refresh rebuilds the keys (unit, agency, reception point, procedure) of
the dossiers changed since its watermark (`Dossier.updated_at`, indexed), of the open
dossiers that have fallen due since the last refresh (their overdue-now count moved with
the clock) and of those a dossier left (reporting.models.StaleKey). The keys go into a
temporary table that the dossiers are joined to, so that its cost follows the dossiers of
those keys and never the size of the table. An evaluation moves its dossier's
`updated_at` (dossiers.services.evaluations saves the dossier in the same transaction;
an import writes both together), so evaluations need no timestamp of their own here."""

import time
from datetime import date, datetime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from dossiers.models import Dossier, Status
from procedures.calendar import LOCAL_TIME
from reporting.models import MonthlyFlow, OpenOverdue, RefreshState, StaleKey
from reporting.snapshots import flows, groups
from reporting.snapshots.groups import execute

KEYS = "reporting_refresh_keys"
KEY_COLUMNS = ("unit_id", "agency_id", "point", "procedure_id")
# Any number, the same in every process: pg_try_advisory_xact_lock's key for "a refresh".
LOCK = 766_0001
# For the statements that read every dossier: PostgreSQL's default 4 MB per sort or
# hash would spill to disk what fits in memory many times over; compiling its many
# expressions to machine code (JIT) takes a second on each core and saves less, and cannot
# be interrupted, not even by a statement timeout; the leader process has enough to do
# gathering the workers' groups.
SETTINGS = {"work_mem": "64MB", "jit": "off", "parallel_leader_participation": "off"}
# A key's dossiers lie all over the dossier table (received over the months, side by side
# with every other key's), so fetching them through its indexes reads some 10,000 pages
# per key: for more keys than this, one pass over the table reads fewer (measured on 2
# million dossiers: docs/PERFORMANCE.md). PostgreSQL, taking the keys for independent
# columns, expects a handful of dossiers per key and would fetch them key by key.
KEYS_BY_INDEX = 50


class RefreshLockedError(Exception):
    """Another refresh of the snapshot is running."""


def _lock() -> None:
    """Fail at once when another refresh runs: the scheduled one every few minutes would
    otherwise queue up behind a slow one. Released with the transaction. SQLite, the
    embedded demo, runs its tasks in process and lets one transaction write at a time."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK])
        if not cursor.fetchone()[0]:
            raise RefreshLockedError


def _state() -> RefreshState:
    return RefreshState.objects.select_for_update().get_or_create(pk=1)[0]


def _tune() -> None:
    if connection.vendor == "postgresql":
        timeout = f"{settings.KPI_REFRESH_TIMEOUT_SECONDS}s"
        with connection.cursor() as cursor:
            for name, value in {**SETTINGS, "statement_timeout": timeout}.items():
                cursor.execute("SELECT set_config(%s, %s, true)", [name, value])


def _watermark(now: datetime) -> datetime:
    """The next refresh looks for dossiers changed after this: `now`, or the start of the
    oldest transaction still open, whose changes (an import of thousands of dossiers, say)
    carry an earlier `updated_at` and are not visible to this refresh yet."""
    if connection.vendor != "postgresql":
        return now
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT MIN(xact_start) FROM pg_stat_activity WHERE datname = current_database() "
            "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        oldest = cursor.fetchone()[0]
    return min(now, oldest) if oldest is not None else now


def _month(moment: datetime) -> date:
    return moment.astimezone(LOCAL_TIME).date().replace(day=1)


def refresh_full() -> dict[str, float | str]:
    """Rebuild every snapshot row (nightly), writing only those that changed."""
    began, now = time.monotonic(), timezone.now()
    with transaction.atomic():
        _lock()
        return _full(_state(), began, now)


def _full(state: RefreshState, began: float, now: datetime) -> dict[str, float | str]:
    watermark = _watermark(now)
    _tune()
    # Before reading the dossiers: a key recorded meanwhile is rebuilt again next time.
    StaleKey.objects.all().delete()
    groups.group(Dossier.objects.all(), now)
    flows.stage(Dossier.objects.all(), now)
    keys = flows.keys()
    changes = flows.replace()
    OpenOverdue.objects.all().delete()
    flows.write_open_overdue(Dossier.objects.all(), now)
    groups.drop()
    state.full_at = state.incremental_at = now
    state.watermark = watermark
    state.duration_seconds = time.monotonic() - began
    state.save()
    return {**changes, "mode": "full", "keys": keys, "seconds": round(state.duration_seconds, 3)}


def refresh_changed() -> dict[str, float | str]:
    """Rebuild the rows of the keys whose dossiers changed since the last refresh (every few
    minutes); a full refresh instead where that costs less."""
    began, now = time.monotonic(), timezone.now()
    with transaction.atomic():
        _lock()
        state = _state()
        # A new month: the dossiers ever paused have a new month of overdue flows, whatever
        # their key (reporting.paused).
        previous = state.incremental_at or state.full_at
        if state.watermark is None or previous is None or _month(previous) != _month(now):
            return _full(state, began, now)
        watermark = _watermark(now)
        _tune()
        keys = _collect_keys(since=state.watermark, previous=previous, now=now)
        if keys and _share_of_dossiers() > settings.KPI_REFRESH_FULL_SHARE:
            execute(f"DROP TABLE {KEYS}")
            return _full(state, began, now)
        if keys > KEYS_BY_INDEX and connection.vendor == "postgresql":
            execute("SELECT set_config('enable_nestloop', 'off', true)")
        if keys:
            mine = _dossiers_of_keys()
            groups.group(mine, now)
            flows.stage(mine, now)
            _delete_of_keys(MonthlyFlow)
            flows.insert()
            _delete_of_keys(OpenOverdue)
            flows.write_open_overdue(mine, now)
            groups.drop()
        execute(f"DROP TABLE {KEYS}")
        state.incremental_at = now
        state.watermark = watermark
        state.save()
    return {"mode": "incremental", "keys": keys, "seconds": round(time.monotonic() - began, 3)}


def _key_rows(dossiers: QuerySet[Dossier]) -> QuerySet:
    point = Coalesce("reception_point_id", 0)
    return dossiers.order_by().annotate(point=point).values(*KEY_COLUMNS)


def _collect_keys(*, since: datetime, previous: datetime, now: datetime) -> int:
    """The keys to rebuild, in a temporary table; returns how many."""
    changed = Dossier.objects.filter(updated_at__gt=since)
    # Every status: PostgreSQL 15 cannot skip the leading column of the (status, due_at)
    # index, and finds a range of due times once per status in it.
    fallen_due = Dossier.objects.filter(
        status__in=Status.values,
        due_at__gte=previous,
        due_at__lt=now,
        processing_ended_at__isnull=True,
        withdrawn_at__isnull=True,
    )
    select, params = _key_rows(changed).union(_key_rows(fallen_due)).query.sql_with_params()
    execute(f"DROP TABLE IF EXISTS {KEYS}")
    execute(f"CREATE TEMPORARY TABLE {KEYS} AS {select}", params)
    stale = list(StaleKey.objects.values_list("pk", *KEY_COLUMNS))
    if stale:
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {KEYS} ({', '.join(KEY_COLUMNS)}) VALUES (%s, %s, %s, %s)",  # noqa: S608 - this module's names
                [key for _, *key in stale],
            )
        StaleKey.objects.filter(pk__in=[pk for pk, *_ in stale]).delete()
    if connection.vendor == "postgresql":
        execute(f"ANALYZE {KEYS}")  # never analysed by itself, and the join's plan needs it
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM (SELECT DISTINCT * FROM {KEYS}) AS k")  # noqa: S608
        return cursor.fetchone()[0]


def _of_keys(table: str, keys: str = f"{KEYS} AS k") -> str:
    """SQL: the row of `table` has one of the `keys` to rebuild."""
    return (
        f"EXISTS (SELECT 1 FROM {keys} WHERE k.unit_id = {table}.unit_id "  # noqa: S608
        f"AND k.agency_id = {table}.agency_id AND k.procedure_id = {table}.procedure_id "
        f"AND k.point = COALESCE({table}.reception_point_id, 0))"
    )


def _dossiers_of_keys() -> QuerySet[Dossier]:
    """The dossiers of the keys to rebuild. On PostgreSQL joined to the keys as arrays
    read from their table: no parallel worker reads a temporary table, and the pass over
    the dossier table that many keys need takes one worker per core (reporting.snapshots
    .groups)."""
    table = Dossier._meta.db_table
    if connection.vendor != "postgresql":
        of_keys = RawSQL(_of_keys(table), (), output_field=BooleanField())  # noqa: S611
        return Dossier.objects.filter(of_keys)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT {', '.join(KEY_COLUMNS)} FROM {KEYS}")  # noqa: S608
        columns = [list(column) for column in zip(*cursor.fetchall(), strict=True)]
    arrays = ", ".join(["%s::bigint[]"] * len(KEY_COLUMNS))
    keys = f"unnest({arrays}) AS k ({', '.join(KEY_COLUMNS)})"
    of_keys = RawSQL(_of_keys(table, keys), columns, output_field=BooleanField())  # noqa: S611
    return Dossier.objects.filter(of_keys)


def _delete_of_keys(model: type[MonthlyFlow] | type[OpenOverdue]) -> int:
    table = model._meta.db_table
    return execute(f"DELETE FROM {table} WHERE {_of_keys(table)}")  # noqa: S608


def _share_of_dossiers() -> float:
    """The share of the counted dossiers that the keys to rebuild hold (by the snapshot):
    an incremental refresh regroups them all."""
    table = MonthlyFlow._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COALESCE(SUM(CASE WHEN {_of_keys(table)} THEN received ELSE 0 END), 0), "  # noqa: S608
            f"COALESCE(SUM(received), 0) FROM {table}"
        )
        mine, every = cursor.fetchone()
    return mine / every if every else 1.0
