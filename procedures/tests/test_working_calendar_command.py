import io
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from procedures.models import AdministrativeUnit, CalendarOverride
from procedures.selectors import forget_working_calendars
from tests.factories import UnitFactory

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("working_calendar", *args, stdout=out)
    return out.getvalue()


def test_days_off_2026_lists_weekdays_off_and_make_up_days() -> None:
    forget_working_calendars()

    lines = run("days-off", "2026").splitlines()

    assert [line[:15] for line in lines] == [
        "2026-01-01 off ",
        "2026-02-16 off ",
        "2026-02-17 off ",
        "2026-02-18 off ",
        "2026-02-19 off ",
        "2026-02-20 off ",
        "2026-04-27 off ",
        "2026-04-30 off ",
        "2026-05-01 off ",
        "2026-08-22 work",
        "2026-08-31 off ",
        "2026-09-01 off ",
        "2026-09-02 off ",
        "2026-11-24 off ",
    ]
    assert lines[0] == "2026-01-01 off Tết Dương lịch"
    assert lines[9] == "2026-08-22 work Làm bù cho ngày nghỉ 31/08/2026"


def test_unit_override_applies_to_that_unit_and_its_descendants_only() -> None:
    province = UnitFactory(code="38")
    UnitFactory(code="14797", level=AdministrativeUnit.Level.COMMUNE, parent=province)
    other = UnitFactory(code="40")
    CalendarOverride.objects.create(
        date=date(2026, 12, 31), kind="off", name="Nghỉ theo quyết định của tỉnh", unit=province
    )
    forget_working_calendars()

    assert "2026-12-31 off Nghỉ theo quyết định của tỉnh" in run(
        "days-off", "2026", "--unit", "14797"
    )
    assert "2026-12-31" not in run("days-off", "2026", "--unit", other.code)
    assert run("due", "2026-12-30T10:00", "1", "working_days", "--unit", "38") == (
        "2027-01-04T17:00:00+07:00\n"
    )
    assert run("due", "2026-12-30T10:00", "1", "working_days") == "2026-12-31T17:00:00+07:00\n"


def test_override_change_reaches_the_cached_calendar() -> None:
    forget_working_calendars()
    assert run("due", "2027-01-05T10:00", "1", "working_days") == "2027-01-06T17:00:00+07:00\n"

    CalendarOverride.objects.create(date=date(2027, 1, 6), kind="off", name="Nghỉ đột xuất")
    forget_working_calendars()

    assert run("due", "2027-01-05T10:00", "1", "working_days") == "2027-01-07T17:00:00+07:00\n"


def test_due_prints_iso_time_with_offset() -> None:
    forget_working_calendars()
    assert run("due", "2025-01-24T10:00", "3", "working_days") == "2025-02-05T17:00:00+07:00\n"
    assert run("due", "2026-03-02T12:00+07:00", "4", "working_hours") == (
        "2026-03-03T08:00:00+07:00\n"
    )
    # 03:00 UTC is 10:00 in Hà Nội.
    assert run("due", "2026-03-06T09:59Z", "0", "same_day") == "2026-03-09T17:00:00+07:00\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("days-off", "twenty"), "YEAR must be a year such as 2026, not 'twenty'"),
        (("days-off", "1800"), "YEAR must be between 2000 and 2100"),
        (("days-off", "2026", "--unit", "99"), "--unit: no administrative unit 99 on 2026-01-01"),
        (("due", "yesterday", "1", "working_days"), "RECEIVED_AT must be an ISO 8601 time"),
        (("due", "2026-03-02T09:00", "-1", "working_days"), "LIMIT must be a number ≥ 0"),
        (("due", "2026-03-02T09:00", "1.5", "working_days"), "LIMIT must be a whole number"),
        (("due", "2026-03-02T09:00", "1", "weeks"), "UNIT must be one of working_days"),
    ],
)
def test_bad_arguments_are_named(args: tuple[str, ...], message: str) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        run(*args)
