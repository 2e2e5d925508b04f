"""python manage.py kpi_report --unit CODE | --agency CODE | --reception-point CODE
[--sector NAME] [--procedure CODE] --from YYYY-MM-DD --to YYYY-MM-DD (INTERFACES §3)."""

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import models

from procedures.models import (
    AdministrativeUnit,
    Agency,
    Procedure,
    ReceptionPoint,
    Sector,
)
from procedures.search import fold
from procedures.services.periods import latest_during
from reporting.indicators import Period, Scope, ScopeFilters, compute

SCOPE_OPTIONS = {"unit": "--unit", "agency": "--agency", "reception_point": "--reception-point"}


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def held_during(
    model: type[AdministrativeUnit] | type[Agency] | type[ReceptionPoint],
    code: str,
    period: Period,
    option: str,
    what: str,
) -> Any:
    """Unit and agency codes are reused across the 2025 reform: the one holding the code
    during the period, the latest one when the period spans both."""
    holders: list[AdministrativeUnit | Agency | ReceptionPoint]
    holders = list(model._default_manager.filter(code=code))
    if not holders:
        raise CommandError(f"{option}: unknown {what} {code}")
    holder = latest_during(holders, period.start, period.end)
    if holder is None:
        raise CommandError(
            f"{option}: {code} did not exist between {period.start} and {period.end}"
        )
    return holder


def unit_for(code: str, period: Period) -> AdministrativeUnit:
    return held_during(AdministrativeUnit, code, period, "--unit", "unit")


def sector_for(name: str) -> Sector:
    """By name, case and diacritics aside: the catalogue refuses two sectors whose names
    differ only so (README, import_procedures), so at most one matches."""
    wanted = fold(name)
    for sector in Sector.objects.all():
        if fold(sector.name) == wanted:
            return sector
    raise CommandError(f"--sector: unknown sector {name!r}")


def _one(model: type[models.Model], code: str, option: str, what: str) -> Any:
    found = model._default_manager.filter(code=code).first()
    if found is None:
        raise CommandError(f"{option}: unknown {what} {code}")
    return found


def scope_for(options: dict[str, Any], period: Period) -> tuple[Scope, dict[str, str]]:
    """The scope of exactly one of the scope options, filtered by sector and procedure,
    and the JSON object naming it."""
    given = [name for name in SCOPE_OPTIONS if options[name] is not None]
    if len(given) != 1:
        got = " and ".join(SCOPE_OPTIONS[name] for name in given) or "none"
        raise CommandError(f"give exactly one of {', '.join(SCOPE_OPTIONS.values())} (got {got})")
    filters: ScopeFilters = {}
    named: dict[str, str] = {}
    if options["sector"] is not None:
        sector = sector_for(options["sector"])
        filters["sector_id"], named["sector"] = sector.pk, sector.name
    if options["procedure"] is not None:
        procedure = _one(Procedure, options["procedure"], "--procedure", "procedure")
        filters["procedure_id"], named["procedure"] = procedure.pk, procedure.code
    kind = given[0]
    code = options[kind]
    if kind == "unit":
        where = unit_for(code, period)
        scope = Scope.of_unit(where, **filters)
    elif kind == "agency":
        where = held_during(Agency, code, period, "--agency", "agency")
        scope = Scope.of_agency(where, **filters)
    else:
        where = held_during(ReceptionPoint, code, period, "--reception-point", "reception point")
        scope = Scope.of_reception_point(where, **filters)
    return scope, {kind: where.code, "name": where.name, **named}


def _shown(value: int | float | None) -> str:
    if value is None:
        return "—"
    return f"{value:.2f}" if isinstance(value, float) else str(value)


class Command(BaseCommand):
    help = (
        "The indicators of RULES.md §6 for a unit and its descendants, an agency or a "
        "reception point, optionally of one sector or procedure, over a period."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="administrative unit code (with its descendants)")
        parser.add_argument("--agency", help="agency identifier code (the competent agency)")
        parser.add_argument(
            "--reception-point", dest="reception_point", help="reception point code"
        )
        parser.add_argument("--sector", help="sector name, case and diacritics aside")
        parser.add_argument("--procedure", help="national procedure code")
        parser.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD, inclusive")
        parser.add_argument("--format", choices=["json", "table"], default="json")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"], "--from"), _date(options["end"], "--to")
        try:
            period = Period(start, end)
        except ValueError as error:
            raise CommandError(f"--to: {error}") from None
        scope, named = scope_for(options, period)
        result = compute(scope, period)
        report = {
            "scope": named,
            "period": {"from": start.isoformat(), "to": end.isoformat()},
            "counts": result.counts,
            "rates": result.rates,
        }
        if options["format"] == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        kind = next(name for name in SCOPE_OPTIONS if name in named)
        filters = [named[name] for name in ("sector", "procedure") if name in named]
        title = " · ".join([f"{named['name']} ({named[kind]})", *filters])
        self.stdout.write(f"{title} {start} – {end}")
        width = max(map(len, [*result.counts, *result.rates]))
        for name, value in [*result.counts.items(), *result.rates.items()]:
            self.stdout.write(f"{name:<{width}}  {_shown(value):>10}")
