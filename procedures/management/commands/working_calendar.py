"""`working_calendar days-off YEAR` and `working_calendar due RECEIVED_AT LIMIT UNIT`
(INTERFACES.md §4)."""

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from procedures.calendar import LOCAL_TIME
from procedures.deadlines import TimeLimitUnit, due_at
from procedures.models import AdministrativeUnit
from procedures.selectors import working_calendar

MIN_YEAR, MAX_YEAR = 2000, 2100


class Command(BaseCommand):
    help = "Show the working calendar: a year's days off, or the due time of a dossier."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        days_off = actions.add_parser(
            "days-off", help="weekdays off and make-up working days of a year"
        )
        days_off.add_argument("year", help="e.g. 2026")
        days_off.add_argument("--unit", help="administrative unit code (local overrides)")
        due = actions.add_parser("due", help="due time of a dossier (RULES.md §4)")
        due.add_argument("received_at", help="ISO 8601; without offset: Asia/Ho_Chi_Minh")
        due.add_argument("limit", help="time limit, a number ≥ 0")
        due.add_argument("unit_of_time", metavar="UNIT", help=" | ".join(TimeLimitUnit.values))
        due.add_argument("--unit", help="administrative unit code (local overrides)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "days-off":
            self._days_off(options)
        else:
            self._due(options)

    def _days_off(self, options: dict[str, Any]) -> None:
        try:
            year = int(options["year"])
        except ValueError:
            raise CommandError(
                f"YEAR must be a year such as 2026, not {options['year']!r}"
            ) from None
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CommandError(f"YEAR must be between {MIN_YEAR} and {MAX_YEAR}")
        calendar = working_calendar(unit=self._unit(options["unit"], date(year, 1, 1)))
        for day, worked, name in calendar.exceptions(year):
            self.stdout.write(f"{day.isoformat()} {'work' if worked else 'off'} {name}".rstrip())

    def _due(self, options: dict[str, Any]) -> None:
        try:
            received_at = datetime.fromisoformat(options["received_at"])
        except ValueError:
            raise CommandError(
                f"RECEIVED_AT must be an ISO 8601 time such as 2026-03-02T09:30, "
                f"not {options['received_at']!r}"
            ) from None
        if timezone.is_naive(received_at):
            received_at = received_at.replace(tzinfo=LOCAL_TIME)
        try:
            limit = Decimal(options["limit"])
        except InvalidOperation:
            raise CommandError(f"LIMIT must be a number ≥ 0, not {options['limit']!r}") from None
        if not limit.is_finite() or limit < 0:
            raise CommandError(f"LIMIT must be a number ≥ 0, not {options['limit']!r}")
        unit_of_time = options["unit_of_time"]
        if unit_of_time not in TimeLimitUnit.values:
            raise CommandError(
                f"UNIT must be one of {', '.join(TimeLimitUnit.values)}, not {unit_of_time!r}"
            )
        if unit_of_time != TimeLimitUnit.WORKING_HOURS and limit != int(limit):
            raise CommandError(f"LIMIT must be a whole number of {unit_of_time}")
        unit = self._unit(options["unit"], received_at.astimezone(LOCAL_TIME).date())
        due = due_at(working_calendar(unit=unit), received_at, float(limit), unit_of_time)
        self.stdout.write(due.isoformat())

    def _unit(self, code: str | None, day: date) -> AdministrativeUnit | None:
        if not code:
            return None
        unit = AdministrativeUnit.objects.valid_on(day).filter(code=code).first()
        if unit is None:
            raise CommandError(f"--unit: no administrative unit {code} on {day.isoformat()}")
        return unit
