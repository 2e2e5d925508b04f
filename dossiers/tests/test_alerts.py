from datetime import timedelta

import time_machine
from django.utils import timezone

from dossiers.models import Dossier, Notification, Status
from dossiers.services.alerts import dossiers_mark_deadlines

from .conftest import Office
from .test_clock import at


def alerts() -> list[tuple[str, str, str]]:
    return sorted(Notification.objects.values_list("kind", "recipient", "subject"))


def test_officers_are_told_once_when_a_dossier_falls_due_then_overdue(office: Office) -> None:
    with time_machine.travel(at(4, 9), tick=False):
        dossier = office.dossier(Status.IN_PROCESS, code="H56.HT-260302-0001")
        dossier.due_at = at(4, 17)  # today's closing time: within one working day
        dossier.save()
        calm = office.dossier(Status.IN_PROCESS, code="H56.HT-260302-0002")
        calm.due_at = at(12, 17)
        calm.save()
        paused = office.dossier(Status.SUPPLEMENT_REQUESTED, code="H56.HT-260302-0003")
        paused.due_at = at(3, 17)  # would be overdue, but the clock is stopped
        paused.save()

        assert dossiers_mark_deadlines() == {"due_soon": 1, "overdue": 0, "cleared": 0}
        assert dossiers_mark_deadlines() == {"due_soon": 0, "overdue": 0, "cleared": 0}

    dossier.refresh_from_db()
    assert dossier.deadline_alert == "due_soon"
    assert alerts() == [
        ("due_soon", "lanhdao@example.org", "Hồ sơ H56.HT-260302-0001 sắp đến hạn"),
        ("due_soon", "thuly@example.org", "Hồ sơ H56.HT-260302-0001 sắp đến hạn"),
    ]

    with time_machine.travel(at(4, 17) + timedelta(minutes=1), tick=False):
        assert dossiers_mark_deadlines() == {"due_soon": 0, "overdue": 1, "cleared": 0}

    assert [kind for kind, _, _ in alerts()].count("overdue") == 2
    # Officers of the neighbouring commune hear nothing.
    assert not Notification.objects.filter(recipient__startswith="thuly2").exists()
    paused.refresh_from_db()
    assert paused.deadline_alert == ""


def test_an_interconnected_parent_is_not_alerted_twice(office: Office, group_dossier) -> None:
    Dossier.objects.filter(interconnection_group__isnull=False).update(
        due_at=timezone.now() - timedelta(hours=1), status=Status.IN_PROCESS
    )

    result = dossiers_mark_deadlines()

    assert result["overdue"] == 1  # the member, not its parent
