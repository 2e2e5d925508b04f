"""Issue #15: under `make run` (no Redis, so no beat) the dashboard keeps the snapshot
current itself; where a scheduler runs, it never does."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from portal.roles import Role
from procedures.models import Assignment
from reporting.models import MonthlyFlow, RefreshState
from reporting.services import snapshots_refresh_when_unscheduled


def watermark():
    state = RefreshState.objects.filter(pk=1).first()
    return state.watermark if state else None


def test_without_a_scheduler_the_dashboard_refreshes_a_stale_snapshot(
    march, office, settings
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    manager = office.reception
    Assignment.objects.create(user=manager, role=Role.MANAGER, unit=office.unit.parent)
    client = Client()
    client.force_login(manager)
    assert (watermark(), MonthlyFlow.objects.count()) == (None, 0)

    response = client.get("/reporting/")

    assert response.status_code == 200
    assert watermark() is not None
    assert MonthlyFlow.objects.count() > 0


def test_a_fresh_snapshot_is_not_refreshed_again(march, office, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = True
    assert snapshots_refresh_when_unscheduled() is True
    first = watermark()

    again = snapshots_refresh_when_unscheduled(now=first + timedelta(seconds=30))
    later = snapshots_refresh_when_unscheduled(now=first + timedelta(minutes=2))

    assert (again, later) == (False, True)
    assert watermark() > first


def test_where_a_scheduler_runs_the_dashboard_never_refreshes(march, office, settings) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False

    refreshed = snapshots_refresh_when_unscheduled(now=timezone.now())

    assert refreshed is False
    assert (watermark(), MonthlyFlow.objects.count()) == (None, 0)


pytestmark = pytest.mark.django_db
