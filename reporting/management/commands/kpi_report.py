"""python manage.py kpi_report --unit CODE --from YYYY-MM-DD --to YYYY-MM-DD (INTERFACES §3)."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from procedures.models import AdministrativeUnit
from reporting.indicators import Period, Scope, compute


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def unit_for(code: str, period: Period) -> AdministrativeUnit:
    """Codes are reused across the 2025 reform: the unit holding the code during the
    period, the latest one when the period spans both."""
    units = AdministrativeUnit.objects.filter(code=code)
    if not units.exists():
        raise CommandError(f"--unit: unknown unit {code}")
    during = [
        u
        for u in units
        if (u.valid_from or date.min) <= period.end and period.start <= (u.valid_to or date.max)
    ]
    if not during:
        raise CommandError(f"--unit: {code} did not exist between {period.start} and {period.end}")
    return max(during, key=lambda unit: unit.valid_from or date.min)


def _shown(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


class Command(BaseCommand):
    help = "The indicators of RULES.md §6 for a unit and its descendants over a period."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="administrative unit code")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD, inclusive")
        parser.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        try:
            period = Period(start, end)
        except ValueError as error:
            raise CommandError(f"--to: {error}") from None
        unit = unit_for(options["unit"], period)
        result = compute(Scope.of_unit(unit), period)
        report = {
            "scope": {"unit": unit.code, "name": unit.name},
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "counts": result.counts,
            "rates": result.rates,
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(f"{unit.name} ({unit.code}) {start} – {end}")
        width = max(map(len, [*result.counts, *result.rates]))
        for name, value in [*result.counts.items(), *result.rates.items()]:
            shown = (
                "—" if value is None else (f"{value:.2f}" if isinstance(value, float) else value)
            )
            self.stdout.write(f"{name:<{width}}  {shown:>10}")
