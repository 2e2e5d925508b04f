"""The snapshot gives the same figures as the live computation, for any whole-month
period, scope and filter, and follows dossier changes after an incremental refresh."""

import importlib
from datetime import date

import pytest
import time_machine
from django.apps import apps
from django.db.models import Sum

from dossiers.models import Dossier, Evaluation
from reporting import snapshots
from reporting.indicators import Period, Scope, compute
from reporting.models import MonthlyFlow

from .april import APRIL, JUSTICE_COUNTS, WARD_POINT_COUNTS, WARD_RESOLVED_BY_RECEPTION
from .march import EXPECTED_COUNTS, MARCH, t

PERIODS = [
    MARCH,
    Period(date(2026, 1, 1), date(2026, 3, 31)),
    Period(date(2026, 2, 1), date(2026, 2, 28)),
    Period(date(2026, 1, 1), date(2026, 12, 31)),
    Period(date(2025, 1, 1), date(2025, 12, 31)),
]


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start}..{p.end}")
def test_the_snapshot_matches_the_live_computation(march, office, period) -> None:
    snapshots.refresh_full()

    for scope in [
        Scope.of_unit(office.unit),
        Scope.of_unit(office.unit.parent),
        Scope(agency_id=office.other_agency.pk),
        Scope(reception_point_id=office.point.pk),
        Scope.of_unit(office.unit.parent, sector_id=office.procedure.sector_id),
        Scope.of_unit(office.unit, procedure_id=office.procedure.pk),
    ]:
        assert snapshots.indicators(scope, period) == compute(scope, period), scope


def test_march_from_the_snapshot(march, office) -> None:
    result = snapshots.refresh_full()

    assert result["rows"] == MonthlyFlow.objects.count() > 0
    assert snapshots.indicators(Scope.of_unit(office.unit), MARCH).counts == EXPECTED_COUNTS


def test_a_period_not_made_of_whole_months_is_computed_live(march, office) -> None:
    snapshots.refresh_full()
    fortnight = Period(date(2026, 3, 1), date(2026, 3, 15))

    assert snapshots.indicators(Scope.of_unit(office.unit), fortnight) == compute(
        Scope.of_unit(office.unit), fortnight
    )


def test_an_incremental_refresh_follows_changed_dossiers(march, office, settings) -> None:
    # The changed key holds most of these few dossiers: a full refresh would cost less.
    settings.KPI_REFRESH_FULL_SHARE = 1.0
    snapshots.refresh_full()
    h = march["H"]
    Dossier.objects.filter(pk=h.pk).update(status="completed", processing_ended_at=t(3, 27))
    Dossier.objects.get(pk=h.pk).save()  # the services save: updated_at moves
    Evaluation.objects.create(dossier=march["F"], rating="neutral", evaluated_at=t(3, 20))
    scope = Scope.of_unit(office.unit)
    stale = snapshots.indicators(scope, MARCH)

    result = snapshots.refresh_changed()

    assert (result["mode"], result["keys"]) == ("incremental", 1)
    fresh = snapshots.indicators(scope, MARCH)
    assert fresh == compute(scope, MARCH)
    assert (stale.counts["resolved"], fresh.counts["resolved"]) == (5, 6)
    assert fresh.counts["evaluations"] == 3


def test_a_month_still_running_counts_overdue_as_of_the_refresh(march, office) -> None:
    with time_machine.travel(t(3, 20, 12), tick=False):
        snapshots.refresh_full()
        scope = Scope.of_unit(office.unit)

        assert snapshots.indicators(scope, MARCH) == compute(scope, MARCH)
        assert snapshots.indicators(scope, MARCH).counts["in_progress_overdue"] == 1  # J


def test_the_nightly_rebuild_writes_only_the_rows_that_changed(march, office) -> None:
    first = snapshots.refresh_full()
    rows = {
        (r.unit_id, r.agency_id, r.reception_point_id, r.procedure_id, r.month): r.pk
        for r in MonthlyFlow.objects.all()
    }

    unchanged = snapshots.refresh_full()
    h = march["H"]
    Dossier.objects.filter(pk=h.pk).update(status="completed", processing_ended_at=t(3, 27))
    changed = snapshots.refresh_full()

    assert first["inserted"] == first["rows"] == len(rows) > 0
    assert {k: unchanged[k] for k in ("deleted", "updated", "inserted")} == {
        "deleted": 0,
        "updated": 0,
        "inserted": 0,
    }
    # H's March row gains a resolution: one row updated in place, nothing else rewritten.
    assert {k: changed[k] for k in ("deleted", "updated", "inserted")} == {
        "deleted": 0,
        "updated": 1,
        "inserted": 0,
    }
    after = {
        (r.unit_id, r.agency_id, r.reception_point_id, r.procedure_id, r.month): r.pk
        for r in MonthlyFlow.objects.all()
    }
    assert after == rows
    scope = Scope.of_unit(office.unit)
    assert snapshots.indicators(scope, MARCH) == compute(scope, MARCH)


def test_agency_and_reception_point_scopes_read_the_snapshot_as_computed(april, office) -> None:
    snapshots.refresh_full()
    civil_status, copies = office.procedure.sector_id, april.copy.sector_id

    for scope in [
        Scope.of_agency(april.justice),
        Scope.of_agency(office.agency, sector_id=copies),
        Scope.of_reception_point(office.point),
        Scope.of_reception_point(april.province_point, procedure_id=april.extract.pk),
        Scope.of_reception_point(
            office.point, sector_id=civil_status, procedure_id=office.procedure.pk
        ),
        Scope.of_unit(office.unit, sector_id=civil_status),
        Scope.of_unit(office.unit, procedure_id=april.copy.pk),
    ]:
        assert snapshots.indicators(scope, APRIL) == compute(scope, APRIL), scope
    assert snapshots.indicators(Scope.of_agency(april.justice), APRIL).counts == JUSTICE_COUNTS
    assert (
        snapshots.indicators(Scope.of_reception_point(office.point), APRIL).counts
        == WARD_POINT_COUNTS
    )


def test_the_snapshot_rows_hold_the_resolved_dossiers_by_how_they_were_received(
    april, office
) -> None:
    snapshots.refresh_full()

    rows = MonthlyFlow.objects.filter(unit=office.unit, month=APRIL.start)
    totals = rows.aggregate(**{name: Sum(name) for name in WARD_RESOLVED_BY_RECEPTION})

    assert totals == WARD_RESOLVED_BY_RECEPTION


def test_rows_from_before_the_new_columns_are_rebuilt_by_the_next_refresh(march, office) -> None:
    snapshots.refresh_full()
    # As migration 0006 left them: the new columns at zero.
    MonthlyFlow.objects.update(resolved_counter=0, resolved_postal=0, resolved_online_full=0)
    migration = importlib.import_module(
        "reporting.migrations.0007_rebuild_after_resolved_by_reception"
    )

    migration.forget_watermark(apps, None)

    scope = Scope.of_unit(office.unit)
    assert snapshots.covering_state(MARCH) is None  # meanwhile the dashboards compute live
    result = snapshots.refresh_changed()
    # The months where B (February), A C D F (March) and M (April) were resolved.
    assert (result["updated"], result["inserted"]) == (3, 0)
    assert snapshots.indicators(scope, MARCH) == compute(scope, MARCH)
    assert snapshots.indicators(scope, MARCH).counts["resolved_counter"] == 2
