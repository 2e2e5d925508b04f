"""Overdue at a period's end by the due time in force then: later pauses move the due time,
and a dossier paused at the end keeps the value it had when paused (RULES.md §5)."""

from datetime import date

from dossiers.models import Pause
from reporting.indicators import Period, Scope, compute

from .march import dossier, t


def pause(office, d, requested, resumed, due_before, due_after=None):
    Pause.objects.create(
        dossier=d,
        kind="supplement",
        stage="processing",
        items=["x"],
        reason="Thiếu giấy tờ",
        requested_by=office.processing,
        requested_at=requested,
        resumed_at=resumed,
        due_before=due_before,
        due_after=due_after,
    )


def test_overdue_follows_the_due_time_in_force(office) -> None:
    # Overdue on 20 February, paused on 2 March (already late), answered on 4 May: the
    # due time moved to 29 May after the fact; February and March stay overdue.
    late = dossier(office, "in_process", t(2, 2), t(5, 29, 17), pause_count=1)
    pause(office, late, t(3, 2), t(5, 4), t(2, 20, 17), t(5, 29, 17))
    # Paused on 5 March before its due time of 10 March, still waiting at the end of March.
    waiting = dossier(
        office, "supplement_requested", t(3, 2), t(3, 10, 17), pause_count=1, paused_at=t(3, 5)
    )
    pause(office, waiting, t(3, 5), None, t(3, 10, 17))
    scope = Scope.of_unit(office.unit)

    february = compute(scope, Period(date(2026, 2, 1), date(2026, 2, 28))).counts
    march = compute(scope, Period(date(2026, 3, 1), date(2026, 3, 31))).counts
    may = compute(scope, Period(date(2026, 5, 1), date(2026, 5, 31))).counts

    assert (february["in_progress"], february["in_progress_overdue"]) == (1, 1)
    assert (march["in_progress"], march["in_progress_overdue"]) == (2, 1)
    # At the end of May the late one is past its moved due time (29 May) again; the other
    # one, paused before its due time, keeps "within the deadline" while it waits.
    assert (may["in_progress"], may["in_progress_overdue"]) == (2, 1)


def test_the_snapshot_agrees_with_paused_dossiers(office) -> None:
    from reporting import snapshots

    test_overdue_follows_the_due_time_in_force(office)
    snapshots.refresh_full()
    scope = Scope.of_unit(office.unit)

    for month in (2, 3, 4, 5):
        last = {2: 28, 3: 31, 4: 30, 5: 31}[month]
        period = Period(date(2026, month, 1), date(2026, month, last))
        assert snapshots.indicators(scope, period) == compute(scope, period), month
