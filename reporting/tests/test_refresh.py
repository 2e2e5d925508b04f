"""The incremental refresh gives exactly the full refresh's snapshot, one refresh runs at a
time, and `kpi_refresh` reports what it did (INTERFACES §3). On PostgreSQL: the lock, the
session settings and the plans are PostgreSQL's."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from dossiers.models import Dossier, Evaluation
from reporting import snapshots, tasks
from reporting.models import MonthlyFlow, OpenOverdue, RefreshState, StaleKey
from reporting.snapshots.refresh import LOCK

from .march import dossier, t
from .test_pauses import pause


@pytest.fixture(autouse=True)
def _postgresql(require_services: bool) -> None:
    if connection.vendor != "postgresql":
        if require_services:
            pytest.fail("REQUIRE_SERVICES=1 but the database is not PostgreSQL")
        pytest.skip("the refresh lock and session settings need PostgreSQL")


def snapshot() -> tuple[list[dict], list[dict]]:
    def rows(model: type) -> list[dict]:
        found = [model_to_dict(row, exclude=["id"]) for row in model.objects.all()]
        return sorted(found, key=lambda row: sorted((k, str(v)) for k, v in row.items()))

    return rows(MonthlyFlow), rows(OpenOverdue)


def full_snapshot() -> tuple[list[dict], list[dict]]:
    """The snapshot a full rebuild gives now, leaving the current one in place."""
    with transaction.atomic():
        snapshots.refresh_full()
        rows = snapshot()
        transaction.set_rollback(True)
    return rows


KINDS = ["create", "create", "resolve", "withdraw", "evaluate", "pause", "delete", "move"]
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(0, 40),  # which dossier, which key
        st.integers(0, 30 * 24),  # hours back from now
        st.integers(-10 * 24, 10 * 24),  # hours from reception to the due time
    ),
    max_size=8,
)  # fmt: skip


def keys(office) -> list[dict]:
    agencies = [office.agency, office.other_agency]
    points = [office.point, office.other_point, None]
    return [
        {"agency": agency, "unit": agency.unit, "reception_point": point}
        for agency in agencies
        for point in points
    ]


def apply(office, operation: tuple[str, int, int, int], now) -> None:
    kind, number, hours, due_hours = operation
    received = now - timedelta(hours=hours)
    dossiers = list(Dossier.objects.order_by("created_at", "id"))
    if kind == "create" or not dossiers:
        key = keys(office)[number % 6]
        dossier(office, "in_process", received, received + timedelta(hours=due_hours), **key)
        return
    target = dossiers[number % len(dossiers)]
    ended = max(target.received_at, now - timedelta(hours=hours % 48))
    if kind == "resolve" and target.processing_ended_at is target.withdrawn_at is None:
        target.processing_ended_at = ended
    elif kind == "withdraw" and target.processing_ended_at is target.withdrawn_at is None:
        target.withdrawn_at = ended
    elif kind == "evaluate" and target.processing_ended_at is not None:
        # As dossiers.services.evaluations does: the dossier is saved with its evaluation.
        rating = Evaluation.Rating.values[number % 5]
        Evaluation.objects.update_or_create(
            dossier=target, defaults={"rating": rating, "evaluated_at": now}
        )
    elif (
        kind == "pause"
        and target.processing_ended_at is target.withdrawn_at is None
        # One open pause at a time (pause_one_open_per_dossier), as the services keep it.
        and not target.pauses.filter(resumed_at__isnull=True).exists()
    ):
        due_after = target.due_at + timedelta(days=2) if target.due_at else None
        pause(office, target, ended, None if number % 2 else now, target.due_at, due_after)
        target.pause_count += 1
    elif kind == "delete":
        target.delete()
        return
    elif kind == "move":
        for name, value in keys(office)[number % 6].items():
            setattr(target, name, value)
    target.save()


@pytest.mark.django_db
@hypothesis_settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rounds=st.lists(OPERATIONS, min_size=1, max_size=4), hours=st.integers(1, 60))
def test_an_incremental_refresh_gives_the_full_refresh_s_snapshot(
    office, settings, rounds, hours
) -> None:
    settings.KPI_REFRESH_FULL_SHARE = 1.0  # always incremental, however few the dossiers
    with transaction.atomic(), time_machine.travel(t(3, 2), tick=False) as clock:
        for operation in rounds[0]:
            apply(office, operation, t(3, 2))
        snapshots.refresh_full()
        for number, operations in enumerate(rounds[1:], start=1):
            # Hours pass (dossiers fall due meanwhile), within March.
            clock.shift(timedelta(hours=hours))
            now = t(3, 2) + timedelta(hours=hours * number)
            for operation in operations:
                apply(office, operation, now)

            result = snapshots.refresh_changed()

            assert result["mode"] == "incremental"
            assert snapshot() == full_snapshot()
        assert not StaleKey.objects.exists()
        transaction.set_rollback(True)


def test_a_deleted_dossier_s_key_is_rebuilt(march, office) -> None:
    snapshots.refresh_full()
    had = MonthlyFlow.objects.filter(agency=office.other_agency).count()

    march["X"].delete()  # the other commune's only dossier
    result = snapshots.refresh_changed()

    assert (result["mode"], result["keys"], had) == ("incremental", 1, 1)
    assert not MonthlyFlow.objects.filter(agency=office.other_agency).exists()
    assert snapshot() == full_snapshot()


def test_changes_in_a_large_share_of_the_dossiers_refresh_everything(march, office) -> None:
    snapshots.refresh_full()
    x, h = march["X"], march["H"]

    x.save()  # 1 of the 11 counted dossiers
    few = snapshots.refresh_changed()
    h.save()  # 10 of the 11
    many = snapshots.refresh_changed()

    assert (few["mode"], few["keys"]) == ("incremental", 1)
    assert (many["mode"], many["keys"]) == ("full", 2)
    assert snapshot() == full_snapshot()


def test_a_refresh_runs_without_jit_and_under_the_statement_timeout(march, settings) -> None:
    settings.KPI_REFRESH_TIMEOUT_SECONDS = 42

    snapshots.refresh_changed()  # inside the test's transaction, whose settings it changed

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout'), current_setting('jit')")
        assert cursor.fetchone() == ("42s", "off")


def test_kpi_refresh_prints_what_it_did(march) -> None:
    out = StringIO()

    call_command("kpi_refresh", "--full", stdout=out)
    call_command("kpi_refresh", stdout=out)

    full, incremental = (json.loads(line) for line in out.getvalue().splitlines())
    assert set(full) == set(incremental) == {"mode", "keys", "seconds"}
    assert (full["mode"], full["keys"]) == ("full", 2)
    assert (incremental["mode"], incremental["keys"]) == ("incremental", 0)
    assert isinstance(full["seconds"], float)


@contextmanager
def lock_held_elsewhere() -> Iterator[None]:
    """The refresh lock, held by another connection until the block ends."""
    taken, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK])
                taken.set()
                release.wait(30)
        finally:
            connection.close()

    holder = threading.Thread(target=hold)
    holder.start()
    assert taken.wait(30)
    try:
        yield
    finally:
        release.set()
        holder.join()


@pytest.mark.parametrize("options", [[], ["--full"]])
def test_kpi_refresh_refuses_while_another_refresh_runs(march, options) -> None:
    with lock_held_elsewhere(), pytest.raises(CommandError) as refused:
        call_command("kpi_refresh", *options, stdout=StringIO())

    assert str(refused.value) == (
        "another KPI refresh is running (it holds the refresh lock): nothing was done; "
        "run again once it has finished"
    )
    assert not MonthlyFlow.objects.exists()
    assert not RefreshState.objects.exists()


def test_the_scheduled_refresh_skips_while_another_runs(march, caplog) -> None:
    with lock_held_elsewhere():
        result = tasks.refresh_snapshots_changed()

    assert result == {"mode": "skipped"}
    assert "another refresh holds the lock" in caplog.text
    assert not MonthlyFlow.objects.exists()
