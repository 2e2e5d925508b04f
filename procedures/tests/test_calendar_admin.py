from datetime import date, datetime

import pytest
import time_machine
from django.test import Client

from procedures.calendar import LOCAL_TIME
from procedures.models import CalendarOverride
from procedures.selectors import forget_working_calendars
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOVEMBER_2026 = datetime(2026, 11, 25, 9, 0, tzinfo=LOCAL_TIME)


@pytest.fixture
def admin_client_vi(client: Client) -> Client:
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    forget_working_calendars()
    return client


@time_machine.travel(NOVEMBER_2026, tick=False)
def test_year_view_lists_days_and_warns_that_2027_swaps_are_unknown(admin_client_vi) -> None:
    response = admin_client_vi.get("/admin/procedures/calendaroverride/year/2026/")

    assert response.status_code == 200
    assert [(d.isoformat(), worked) for d, worked, _ in response.context["days"]][9:11] == [
        ("2026-08-22", True),
        ("2026-08-31", False),
    ]
    assert response.context["coming_swaps_known"] is False
    assert '<li class="warning">' in response.content.decode()


@time_machine.travel(NOVEMBER_2026, tick=False)
def test_warning_goes_once_overrides_for_the_coming_year_exist(admin_client_vi) -> None:
    admin_client_vi.post(
        "/admin/procedures/calendaroverride/add/",
        {"date": "2027-02-13", "kind": "work", "name": "Làm bù Tết 2027"},
    )

    response = admin_client_vi.get("/admin/procedures/calendaroverride/year/2027/")

    assert CalendarOverride.objects.get().date == date(2027, 2, 13)
    assert response.context["coming_swaps_known"] is True
    assert '<li class="warning">' not in response.content.decode()
    # The saved override reached the cached calendar at once.
    assert (date(2027, 2, 13), True, "Làm bù Tết 2027") in response.context["days"]


def test_year_view_is_for_staff_only(client: Client) -> None:
    client.force_login(UserFactory(username="citizen"))

    response = client.get("/admin/procedures/calendaroverride/year/2026/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
