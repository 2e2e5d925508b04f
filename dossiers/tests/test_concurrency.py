"""Races on PostgreSQL, with real concurrent connections: two officers acting on one
dossier at once, and a hundred receptions at one agency in the same second."""

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
import time_machine
from django.db import close_old_connections, connection

from dossiers import services
from dossiers.errors import DossierConflictError, InvalidTransitionError
from dossiers.models import Dossier, Status
from dossiers.services import Applicant
from portal.models import AuditEvent

from .test_clock import at

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql(require_services: bool) -> None:
    if connection.vendor != "postgresql":
        if require_services:
            pytest.fail("REQUIRE_SERVICES=1 but the database is not PostgreSQL")
        pytest.skip("row locks and concurrent connections need PostgreSQL")


def race(*actions: Callable[[], object], workers: int = 0) -> list[object]:
    """Run the actions at once, each on its own database connection (at most `workers`
    connections; all of them released together when there are enough); return each
    one's result or the exception it raised."""
    workers = workers or len(actions)
    start = threading.Barrier(len(actions)) if workers == len(actions) else None

    def run(action: Callable[[], object]) -> object:
        try:
            if start is not None:
                start.wait()
            return action()
        except Exception as exc:
            return exc
        finally:
            close_old_connections()
            connection.close()

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run, actions))


def test_two_officers_acting_at_once_cannot_both_win(office) -> None:
    dossier = office.dossier(Status.IN_PROCESS)
    events_before = AuditEvent.objects.count()

    outcomes = race(
        lambda: services.dossier_complete(dossier_id=dossier.pk, officer=office.leader),
        lambda: services.dossier_stop(
            dossier_id=dossier.pk, officer=office.leader, reason="Không đủ điều kiện"
        ),
    )

    winners = [o for o in outcomes if isinstance(o, Dossier)]
    losers = [o for o in outcomes if isinstance(o, Exception)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert isinstance(losers[0], InvalidTransitionError)
    final = Dossier.objects.get(pk=dossier.pk)
    # The loser saw the state the winner left.
    assert (losers[0].code, losers[0].status) == ("dossier.invalid_transition", final.status)
    assert final.status == winners[0].status
    assert final.version == 2
    assert AuditEvent.objects.count() == events_before + 1


def test_the_same_action_twice_with_the_version_seen_gives_a_conflict(office) -> None:
    dossier = office.dossier(Status.IN_PROCESS)

    outcomes = race(
        *[
            lambda: services.dossier_hand_over(
                dossier_id=dossier.pk,
                officer=office.processing,
                to_label="Lãnh đạo UBND phường",
                expected_version=1,
            )
        ]
        * 2
    )

    conflicts = [o for o in outcomes if isinstance(o, DossierConflictError)]
    assert len(conflicts) == 1
    assert (conflicts[0].code, conflicts[0].expected, conflicts[0].actual) == (
        "dossier.changed",
        1,
        2,
    )
    assert Dossier.objects.get(pk=dossier.pk).version == 2
    assert dossier.hand_overs.count() == 2  # the fixture's row and the winner's


def test_a_hundred_receptions_in_the_same_second_get_consecutive_codes(office) -> None:
    def receive(number: int) -> Callable[[], object]:
        return lambda: (
            services.dossier_receive_at_counter(
                officer=office.reception,
                procedure=office.procedure,
                agency=office.agency,
                reception_point=office.point,
                applicant=Applicant(name=f"Người nộp {number}"),
            ).dossier.code
        )

    # 25 connections at a time: PostgreSQL's default allows 100 in all.
    with time_machine.travel(at(2, 9), tick=False):
        codes = race(*[receive(number) for number in range(100)], workers=25)

    assert all(isinstance(code, str) for code in codes), codes
    assert sorted(codes) == [f"H56.HT-260302-{n:04d}" for n in range(1, 101)]
    assert Dossier.objects.filter(code__startswith="H56.HT-260302-").count() == 100
