"""Writer of the administrative units (import_units)."""

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from portal.csv_import import (
    CsvFile,
    ImportSummary,
    Problem,
    Progress,
    Row,
    import_rows,
)
from portal.models import User
from procedures.models import AdministrativeUnit
from procedures.selectors.scope import forget_officer_scopes
from procedures.services.periods import end, holder_on, overlap_problems, start

Level = AdministrativeUnit.Level
LEVEL_ORDER = [Level.PROVINCE, Level.DISTRICT, Level.COMMUNE]
UNIT_COLUMNS = ["code", "name", "level", "parent_code", "valid_from", "valid_to"]
UNIT_REQUIRED_COLUMNS = ["code", "name", "level"]


@dataclass
class UnitRow:
    line: int
    code: str
    name: str
    level: str
    parent_code: str | None
    valid_from: date | None
    valid_to: date | None
    changes: dict[str, object] = field(default_factory=dict)

    def fields(self) -> dict[str, object]:
        return {
            "name": self.name,
            "level": self.level,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
        }


UnitKey = tuple[str, date | None]
Period = UnitRow | AdministrativeUnit


def units_import(
    *,
    path: Path,
    update: bool = False,
    actor: User | None = None,
    progress: Progress | None = None,
) -> ImportSummary:
    """Nhập danh mục đơn vị hành chính: validate the whole file, then write all or nothing."""
    existing = {_key(u): u for u in AdministrativeUnit.objects.select_related("parent")}
    return import_rows(
        csv_file=CsvFile(
            path, columns=UNIT_COLUMNS, required=UNIT_REQUIRED_COLUMNS, progress=progress
        ),
        parse=_unit_from_row,
        check=lambda rows: _check_units(rows, existing, update=update),
        write=lambda rows, summary: _write_units(rows, existing, summary),
        event="procedures.units_imported",
        actor=actor,
    )


def _key(unit: Period) -> UnitKey:
    return (unit.code, unit.valid_from)


def _unit_from_row(row: Row) -> UnitRow | None:
    code = row.text("code", required=True)
    name = row.text("name", required=True, max_length=200)
    level = row.choice("level", Level.values, required=True)
    parent_code = row.text("parent_code")
    valid_from = row.date("valid_from")
    valid_to = row.date("valid_to")
    if code is not None and level is not None:
        length = AdministrativeUnit.CODE_LENGTH[Level(level)]
        if not (code.isascii() and code.isdigit() and len(code) == length):
            row.problem("code", f"a {level} code has exactly {length} digits, not {code!r}")
            code = None
    if level == Level.PROVINCE and parent_code:
        row.problem("parent_code", "a province has no parent")
    if level in (Level.DISTRICT, Level.COMMUNE) and not parent_code:
        row.problem("parent_code", f"required for a {level}")
    if valid_from and valid_to and valid_to < valid_from:
        row.problem("valid_to", f"{valid_to} is before valid_from {valid_from}")
        return None
    if code is None or name is None or level is None:
        return None
    return UnitRow(row.line, code, name, level, parent_code, valid_from, valid_to)


def _check_units(
    rows: list[UnitRow], existing: dict[UnitKey, AdministrativeUnit], *, update: bool
) -> list[Problem]:
    problems: list[Problem] = []
    in_file: dict[UnitKey, UnitRow] = {}
    for unit in rows:
        if (first := in_file.get(_key(unit))) is not None:
            problems.append(Problem(unit.line, "code", f"{unit.code} repeats row {first.line}"))
            continue
        in_file[_key(unit)] = unit

    # What each code will stand for after the import: stored periods, replaced by rows.
    periods: dict[str, list[Period]] = {}
    after: dict[UnitKey, Period] = {**existing, **in_file}
    for key, period in after.items():
        periods.setdefault(key[0], []).append(period)
    problems.extend(overlap_problems(periods, what="unit"))

    for unit in in_file.values():
        if unit.parent_code:
            problems.extend(_check_parent(unit, periods))
        stored = existing.get(_key(unit))
        if stored is None:
            continue
        unit.changes = {
            name: value for name, value in unit.fields().items() if getattr(stored, name) != value
        }
        stored_parent = stored.parent.code if stored.parent is not None else None
        if stored_parent != unit.parent_code:
            unit.changes["parent_code"] = unit.parent_code
        if unit.changes and not update:
            problems.append(
                Problem(
                    unit.line,
                    "code",
                    f"{unit.code} already exists with other {', '.join(unit.changes)}; "
                    "use --update to change it",
                )
            )
    return problems


def _parent_of(unit: UnitRow, periods: dict[str, list[Period]]) -> Period | None:
    """The unit holding parent_code on the day the child starts."""
    return holder_on(periods.get(unit.parent_code or "", []), start(unit))


def _check_parent(unit: UnitRow, periods: dict[str, list[Period]]) -> list[Problem]:
    parent = _parent_of(unit, periods)
    if parent is None:
        when = f" on {unit.valid_from}" if unit.valid_from else ""
        return [Problem(unit.line, "parent_code", f"unknown unit {unit.parent_code}{when}")]
    allowed = AdministrativeUnit.PARENT_LEVELS[Level(unit.level)]
    if parent.level not in allowed:
        return [
            Problem(
                unit.line,
                "parent_code",
                f"{unit.parent_code} is a {parent.level}; a {unit.level}'s parent must be "
                f"a {' or a '.join(allowed)}",
            )
        ]
    if end(unit) > end(parent):
        return [
            Problem(
                unit.line,
                "valid_to",
                f"the unit outlives its parent {unit.parent_code}, closed on {parent.valid_to}",
            )
        ]
    return []


def _write_units(
    rows: list[UnitRow], existing: dict[UnitKey, AdministrativeUnit], summary: ImportSummary
) -> None:
    periods: dict[str, list[Period]] = {}
    after: dict[UnitKey, Period] = {**existing, **{_key(row): row for row in rows}}
    for key, period in after.items():
        periods.setdefault(key[0], []).append(period)
    ids = {key: unit.pk for key, unit in existing.items()}
    # Parents before children: levels go province → district → commune.
    for level in LEVEL_ORDER:
        new_units = []
        for unit in rows:
            if unit.level != level:
                continue
            parent = _parent_of(unit, periods) if unit.parent_code else None
            parent_id = ids[_key(parent)] if parent is not None else None
            stored = existing.get(_key(unit))
            if stored is None:
                new_units.append(
                    AdministrativeUnit(code=unit.code, parent_id=parent_id, **unit.fields())
                )
            elif unit.changes:
                for name, value in unit.fields().items():
                    setattr(stored, name, value)
                stored.parent_id = parent_id
                stored.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
        for created in AdministrativeUnit.objects.bulk_create(new_units):
            ids[_key(created)] = created.pk
        summary.created += len(new_units)
    # A new or moved unit changes the subtree of every unit assignment above it.
    forget_officer_scopes()
