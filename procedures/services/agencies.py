"""Writer of the agencies (import_agencies, INTERFACES.md §2)."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from portal.csv_import import CsvFile, ImportSummary, Problem, Progress, Row, import_rows
from portal.models import User
from procedures.models import AdministrativeUnit, Agency
from procedures.models.organisation import agency_code_validator
from procedures.selectors.scope import forget_officer_scopes
from procedures.services.periods import end, holder_on, latest_during, overlap_problems, start

AGENCY_COLUMNS = ["code", "name", "unit_code", "parent_code", "valid_from", "valid_to"]
AGENCY_REQUIRED_COLUMNS = ["code", "name", "unit_code"]
AGENCY_EXAMPLE = "000.00.16.H56 or H56.101"


@dataclass
class AgencyRow:
    line: int
    code: str
    name: str
    unit_code: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    unit: AdministrativeUnit | None = None
    parent: "AgencyRow | Agency | None" = None
    changes: list[str] = field(default_factory=list)


AgencyKey = tuple[str, date | None]
Holder = AgencyRow | Agency


def agencies_import(
    *,
    path: Path,
    update: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Nhập danh mục cơ quan: validate the whole file, then write all or nothing."""
    existing = {_key(a): a for a in Agency.objects.select_related("parent", "unit")}
    return import_rows(
        csv_file=CsvFile(
            path, columns=AGENCY_COLUMNS, required=AGENCY_REQUIRED_COLUMNS, progress=progress
        ),
        parse=_agency_from_row,
        check=lambda rows: _check_agencies(rows, existing, update=update),
        write=lambda rows, summary: _write_agencies(rows, existing, summary),
        event="procedures.agencies_imported",
        actor=actor,
    )


def _key(agency: Holder) -> AgencyKey:
    return (agency.code, agency.valid_from)


def _agency_from_row(row: Row) -> AgencyRow | None:
    code = row.text("code", required=True, max_length=32)
    # regex: compiled by RegexValidator(); the stubs type it as the str it may be given.
    if code is not None and not agency_code_validator.regex.fullmatch(code):  # type: ignore[union-attr]
        row.problem("code", f"{code!r} is not an identifier code like {AGENCY_EXAMPLE}")
        code = None
    name = row.text("name", required=True, max_length=255)
    unit_code = row.text("unit_code", required=True)
    parent_code = row.text("parent_code")
    valid_from, valid_to = row.date("valid_from"), row.date("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        row.problem("valid_to", f"{valid_to} is before valid_from {valid_from}")
        return None
    if parent_code is not None and parent_code == code:
        row.problem("parent_code", "an agency is not its own parent")
        return None
    if code is None or name is None or unit_code is None:
        return None
    return AgencyRow(row.line, code, name, unit_code, parent_code, valid_from, valid_to)


def _check_agencies(
    rows: list[AgencyRow], existing: dict[AgencyKey, Agency], *, update: bool
) -> list[Problem]:
    problems: list[Problem] = []
    in_file: dict[AgencyKey, AgencyRow] = {}
    for agency in rows:
        if (first := in_file.get(_key(agency))) is not None:
            problems.append(Problem(agency.line, "code", f"{agency.code} repeats row {first.line}"))
            continue
        in_file[_key(agency)] = agency
    periods: dict[str, list[Holder]] = {}
    after: dict[AgencyKey, Holder] = {**existing, **in_file}
    for key, holder in after.items():
        periods.setdefault(key[0], []).append(holder)
    problems.extend(overlap_problems(periods, what="agency"))

    units: dict[str, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.filter(code__in={r.unit_code for r in rows}):
        units.setdefault(unit.code, []).append(unit)
    for agency in in_file.values():
        problems.extend(_resolve(agency, units, periods))
        stored = existing.get(_key(agency))
        if stored is None:
            continue
        agency.changes = _changes(agency, stored)
        if agency.changes and not update:
            problems.append(
                Problem(
                    agency.line,
                    "code",
                    f"{agency.code} already exists with other {', '.join(agency.changes)}; "
                    "use --update to change it",
                )
            )
    problems.extend(_cycles(list(in_file.values())))
    return problems


def _resolve(
    agency: AgencyRow,
    units: dict[str, list[AdministrativeUnit]],
    periods: dict[str, list[Holder]],
) -> list[Problem]:
    """The unit holding unit_code while the agency is valid (the latest such unit), and
    the agency holding parent_code on the day this one starts."""
    problems = []
    candidates = units.get(agency.unit_code, [])
    agency.unit = latest_during(candidates, start(agency), end(agency))
    if agency.unit is None:
        reason = f"unknown unit {agency.unit_code}"
        if candidates:
            reason = f"no unit {agency.unit_code} in force while the agency is"
        problems.append(Problem(agency.line, "unit_code", reason))
    if agency.parent_code:
        agency.parent = holder_on(periods.get(agency.parent_code, []), start(agency))
        if agency.parent is None:
            when = f" on {agency.valid_from}" if agency.valid_from else ""
            problems.append(
                Problem(agency.line, "parent_code", f"unknown agency {agency.parent_code}{when}")
            )
    return problems


def _changes(agency: AgencyRow, stored: Agency) -> list[str]:
    changes = [
        column
        for column, new, old in (
            ("name", agency.name, stored.name),
            ("unit_code", agency.unit.pk if agency.unit else None, stored.unit_id),
            ("valid_to", agency.valid_to, stored.valid_to),
        )
        if new != old
    ]
    parent = agency.parent
    new_parent = _key(parent) if parent is not None else None
    old_parent = _key(stored.parent) if stored.parent is not None else None
    if new_parent != old_parent:
        changes.append("parent_code")
    return changes


def _cycles(rows: list[AgencyRow]) -> list[Problem]:
    """An agency may not end up above itself through the parents the file gives."""
    problems = []
    for agency in rows:
        seen: set[AgencyKey] = {_key(agency)}
        parent = agency.parent
        while isinstance(parent, AgencyRow):
            if _key(parent) in seen:
                problems.append(
                    Problem(agency.line, "parent_code", f"{agency.code} would be its own ancestor")
                )
                break
            seen.add(_key(parent))
            parent = parent.parent
    return problems


def _write_agencies(
    rows: list[AgencyRow], existing: dict[AgencyKey, Agency], summary: ImportSummary
) -> None:
    created = Agency.objects.bulk_create(
        [
            Agency(
                code=row.code,
                name=row.name,
                unit=row.unit,
                valid_from=row.valid_from,
                valid_to=row.valid_to,
            )
            for row in rows
            if _key(row) not in existing
        ]
    )
    summary.created = len(created)
    stored = {**existing, **{_key(agency): agency for agency in created}}
    changed = []
    for row in rows:
        agency = stored[_key(row)]
        parent_id = stored[_key(row.parent)].pk if row.parent is not None else None
        if _key(row) in existing:
            if not row.changes:
                summary.unchanged += 1
                continue
            summary.updated += 1
        agency.name, agency.unit, agency.valid_to = row.name, row.unit, row.valid_to  # type: ignore[assignment]
        agency.parent_id = parent_id
        changed.append(agency)
    Agency.objects.bulk_update(changed, ["name", "unit", "valid_to", "parent"])
    # An agency created in or moved to a unit joins the scopes of that unit's officers.
    forget_officer_scopes()
