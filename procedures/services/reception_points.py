"""Writer of the reception points (import_reception_points, INTERFACES.md §2)."""

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from portal.csv_import import CsvFile, ImportSummary, Problem, Progress, Row, import_rows
from portal.models import User
from procedures.models import AdministrativeUnit, Agency, ReceptionPoint
from procedures.selectors.scope import forget_officer_scopes
from procedures.services.periods import latest_during

POINT_COLUMNS = [
    "code", "name", "kind", "unit_code", "agencies", "address", "phone", "counters",
    "valid_from", "valid_to",
]  # fmt: skip
POINT_REQUIRED_COLUMNS = ["code", "name", "kind", "unit_code"]
POINT_CODE = re.compile(r"^[A-Za-z0-9-]+$")
MAX_COUNTERS = 999
# The stored fields a row sets, compared on re-import.
FIELDS = ("name", "kind", "unit", "address", "phone", "counters", "valid_from", "valid_to")


@dataclass
class PointRow:
    line: int
    code: str
    unit_code: str
    agency_codes: list[str]
    values: dict[str, Any]
    agencies: list[Agency] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)


def reception_points_import(
    *,
    path: Path,
    update: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Nhập danh mục bộ phận một cửa: validate the whole file, then write all or nothing."""
    existing = {point.code: point for point in ReceptionPoint.objects.prefetch_related("agencies")}
    return import_rows(
        csv_file=CsvFile(
            path, columns=POINT_COLUMNS, required=POINT_REQUIRED_COLUMNS, progress=progress
        ),
        parse=_point_from_row,
        check=lambda rows: _check_points(rows, existing, update=update),
        write=lambda rows, summary: _write_points(rows, existing, summary),
        event="procedures.reception_points_imported",
        actor=actor,
    )


def _point_from_row(row: Row) -> PointRow | None:
    code = row.text("code", required=True, max_length=40)
    if code is not None and not POINT_CODE.fullmatch(code):
        row.problem("code", f"{code!r}: only letters, digits and '-'")
        code = None
    values: dict[str, Any] = {
        "name": row.text("name", required=True, max_length=255),
        "kind": row.choice("kind", ReceptionPoint.Kind.values, required=True),
        "address": row.text("address", max_length=255) or "",
        "phone": row.text("phone", max_length=20) or "",
        "counters": row.integer("counters", minimum=1),
        "valid_from": row.date("valid_from"),
        "valid_to": row.date("valid_to"),
    }
    if values["counters"] is None:
        values["counters"] = 1
    elif values["counters"] > MAX_COUNTERS:
        row.problem("counters", f"at most {MAX_COUNTERS}")
    unit_code = row.text("unit_code", required=True)
    agency_codes = row.codes("agencies")
    valid_from, valid_to = values["valid_from"], values["valid_to"]
    if valid_from and valid_to and valid_to < valid_from:
        row.problem("valid_to", f"{valid_to} is before valid_from {valid_from}")
        return None
    if code is None or unit_code is None or values["name"] is None or values["kind"] is None:
        return None
    return PointRow(row.line, code, unit_code, agency_codes, values)


def _check_points(
    rows: list[PointRow], existing: dict[str, ReceptionPoint], *, update: bool
) -> list[Problem]:
    problems: list[Problem] = []
    units: dict[str, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(code__in={r.unit_code for r in rows}):
        units.setdefault(unit.code, []).append(unit)
    agencies: dict[str, list[Agency]] = {}
    named = {code for row in rows for code in row.agency_codes}
    for agency in Agency.objects.filter(code__in=named):
        agencies.setdefault(agency.code, []).append(agency)
    seen: dict[str, int] = {}
    for point in rows:
        if point.code in seen:
            problems.append(
                Problem(point.line, "code", f"{point.code} repeats row {seen[point.code]}")
            )
            continue
        seen[point.code] = point.line
        problems.extend(_resolve(point, units, agencies))
        stored = existing.get(point.code)
        if stored is None:
            continue
        point.changes = [name for name in FIELDS if getattr(stored, name) != point.values[name]]
        stored_agencies = {agency.pk for agency in stored.agencies.all()}
        if stored_agencies != {agency.pk for agency in point.agencies}:
            point.changes.append("agencies")
        if point.changes and not update:
            changed = ", ".join("unit_code" if c == "unit" else c for c in point.changes)
            problems.append(
                Problem(
                    point.line,
                    "code",
                    f"{point.code} already exists with other {changed}; use --update to change it",
                )
            )
    return problems


def _resolve(
    point: PointRow,
    units: dict[str, list[AdministrativeUnit]],
    agencies: dict[str, list[Agency]],
) -> list[Problem]:
    """The unit and agencies holding the codes while the point is valid (the latest)."""
    problems = []
    first = point.values["valid_from"] or date.min
    last = point.values["valid_to"] or date.max
    candidates = units.get(point.unit_code, [])
    point.values["unit"] = latest_during(candidates, first, last)
    if point.values["unit"] is None:
        reason = f"unknown unit {point.unit_code}"
        if candidates:
            reason = f"no unit {point.unit_code} in force while the point is"
        problems.append(Problem(point.line, "unit_code", reason))
    for code in point.agency_codes:
        agency = latest_during(agencies.get(code, []), first, last)
        if agency is None:
            problems.append(Problem(point.line, "agencies", f"unknown agency {code}"))
        else:
            point.agencies.append(agency)
    return problems


def _write_points(
    rows: list[PointRow], existing: dict[str, ReceptionPoint], summary: ImportSummary
) -> None:
    created = ReceptionPoint.objects.bulk_create(
        [ReceptionPoint(code=row.code, **row.values) for row in rows if row.code not in existing]
    )
    summary.created = len(created)
    by_code = {point.code: point for point in created}
    links = ReceptionPoint.agencies.through
    new_links = []
    for row in rows:
        point = by_code.get(row.code) or existing[row.code]
        if row.code in existing:
            if not row.changes:
                summary.unchanged += 1
                continue
            summary.updated += 1
            for name in FIELDS:
                setattr(point, name, row.values[name])
            point.save()
            links.objects.filter(receptionpoint_id=point.pk).delete()
        new_links += [
            links(receptionpoint_id=point.pk, agency_id=agency.pk) for agency in row.agencies
        ]
    links.objects.bulk_create(new_links)
    # A point created in a unit joins the scopes of that unit's officers.
    forget_officer_scopes()
