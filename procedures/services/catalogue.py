"""Writers of the procedure catalogue: import_procedures, edits, publication."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.db.models import F
from django.utils.text import slugify

from portal import audit
from portal.csv_import import CsvFile, ImportRejectedError, ImportSummary, Problem, Row
from portal.models import User
from procedures.deadlines import TimeLimitUnit
from procedures.models import AdministrativeUnit, Fee, OnlineLevel, Procedure, Sector
from procedures.models.catalogue import procedure_code_validator
from procedures.search import fold

PROCEDURE_COLUMNS = [
    "code",
    "name",
    "sector",
    "level",
    "time_limit",
    "time_limit_unit",
    "online_level",
    "legacy_level",
    "fee",
    "postal",
]
PROCEDURE_REQUIRED_COLUMNS = ["code", "name", "sector", "level", "time_limit", "time_limit_unit"]
MAX_TIME_LIMIT = Decimal("99999.99")
DEFAULT_FEE_NAME = "Phí, lệ phí"
# Day-based limits are counted in whole days (RULES.md §4).
WHOLE_UNITS = {TimeLimitUnit.WORKING_DAYS, TimeLimitUnit.CALENDAR_DAYS}


@dataclass
class ProcedureRow:
    line: int
    code: str
    sector: str
    fee: int
    postal: bool
    values: dict[str, object]
    changes: list[str] = field(default_factory=list)


def procedures_import(
    *, path: Path, update: bool = False, actor: User | None = None
) -> ImportSummary:
    """Nhập danh mục thủ tục hành chính: validate the whole file, then write all or nothing."""
    csv_file = CsvFile(path, columns=PROCEDURE_COLUMNS, required=PROCEDURE_REQUIRED_COLUMNS)
    parsed = [row for raw in csv_file.rows() if (row := _procedure_from_row(raw)) is not None]
    problems = csv_file.problems
    existing = {
        procedure.code: procedure
        for procedure in Procedure.objects.select_related("sector").prefetch_related("fees")
    }
    sectors = {sector.name: sector for sector in Sector.objects.all()}
    if not problems:
        problems.extend(_check_procedures(parsed, existing, sectors, update=update))
    if problems:
        raise ImportRejectedError(problems)

    summary = ImportSummary(rows=len(parsed))
    with transaction.atomic():
        _write_procedures(parsed, existing, sectors, summary)
        audit.record(
            actor=actor,
            event="procedures.procedures_imported",
            data={"file": Path(path).name, **summary.__dict__},
        )
    return summary


def _procedure_from_row(row: Row) -> ProcedureRow | None:
    code = row.text("code", required=True)
    if code is not None and not procedure_code_validator.regex.fullmatch(code):
        row.problem("code", f"{code!r} is not a national procedure code like 1.001193")
        code = None
    values: dict[str, object] = {
        "name": row.text("name", required=True, max_length=500),
        "level": row.choice("level", AdministrativeUnit.Level.values, required=True),
        "time_limit": row.decimal("time_limit", required=True, minimum=Decimal(0)),
        "time_limit_unit": row.choice("time_limit_unit", TimeLimitUnit.values, required=True),
        "online_level": row.choice("online_level", OnlineLevel.values) or OnlineLevel.NONE,
        "legacy_level": row.choice("legacy_level", ["1", "2", "3", "4"]),
    }
    sector = row.text("sector", required=True, max_length=200)
    fee = row.integer("fee", minimum=0)
    postal = row.boolean("postal", default=True)
    limit, unit = values["time_limit"], values["time_limit_unit"]
    if isinstance(limit, Decimal):
        if limit > MAX_TIME_LIMIT or limit.as_tuple().exponent < -2:  # type: ignore[operator]
            row.problem("time_limit", f"at most {MAX_TIME_LIMIT}, with two decimals")
            values["time_limit"] = None
        elif unit in WHOLE_UNITS and limit != limit.to_integral_value():
            row.problem("time_limit", f"{unit} are whole days; give working_hours instead")
            values["time_limit"] = None
        elif unit == TimeLimitUnit.SAME_DAY and limit != 0:
            row.problem("time_limit", "0 with same_day (the result is due the same day)")
            values["time_limit"] = None
    if values["legacy_level"] is not None:
        values["legacy_level"] = int(values["legacy_level"])  # type: ignore[call-overload]
    if code is None or sector is None or any(values[name] is None for name in _REQUIRED_VALUES):
        return None
    values["time_limit"] = Decimal(values["time_limit"]).quantize(Decimal("0.01"))  # type: ignore[arg-type]
    return ProcedureRow(row.line, code, sector, fee or 0, postal, values)


_REQUIRED_VALUES = ("name", "level", "time_limit", "time_limit_unit")


def _sector_code(name: str) -> str:
    return slugify(fold(name))[:80]


def _check_procedures(
    rows: list[ProcedureRow],
    existing: dict[str, Procedure],
    sectors: dict[str, Sector],
    *,
    update: bool,
) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    sector_codes = {sector.code: sector.name for sector in sectors.values()}
    for row in rows:
        if row.code in seen:
            problems.append(Problem(row.line, "code", f"{row.code} repeats row {seen[row.code]}"))
            continue
        seen[row.code] = row.line
        problems.extend(_check_sector(row, sector_codes))
        stored = existing.get(row.code)
        if stored is None:
            continue
        row.changes = _changes(row, stored)
        fees = list(stored.fees.all())
        if "fee" in row.changes and len(fees) > 1:
            problems.append(
                Problem(
                    row.line,
                    "fee",
                    f"{row.code} has {len(fees)} fee items; change them in the administration",
                )
            )
        elif row.changes and not update:
            problems.append(
                Problem(
                    row.line,
                    "code",
                    f"{row.code} already exists with other {', '.join(row.changes)}; "
                    "use --update to change it",
                )
            )
    return problems


def _check_sector(row: ProcedureRow, sector_codes: dict[str, str]) -> list[Problem]:
    """ "Hộ Tịch" next to "Hộ tịch" would be a second sector that nobody can tell apart."""
    code = _sector_code(row.sector)
    if not code:
        return [Problem(row.line, "sector", "needs letters or digits")]
    known = sector_codes.setdefault(code, row.sector)
    if known != row.sector:
        return [Problem(row.line, "sector", f"{row.sector!r} differs from {known!r} only in form")]
    return []


def _changes(row: ProcedureRow, stored: Procedure) -> list[str]:
    changes = [name for name, value in row.values.items() if getattr(stored, name) != value]
    if stored.sector.name != row.sector:
        changes.append("sector")
    if stored.total_fee != row.fee:
        changes.append("fee")
    if not (stored.postal_intake == stored.postal_return == row.postal):
        changes.append("postal")
    return changes


def _write_procedures(
    rows: list[ProcedureRow],
    existing: dict[str, Procedure],
    sectors: dict[str, Sector],
    summary: ImportSummary,
) -> None:
    for row in rows:
        if row.sector not in sectors:
            sectors[row.sector] = Sector.objects.create(
                name=row.sector, code=_sector_code(row.sector)
            )
    created: list[tuple[Procedure, int]] = []
    for row in rows:
        stored = existing.get(row.code)
        if stored is not None and not row.changes:
            summary.unchanged += 1
            continue
        procedure = stored or Procedure(code=row.code, status=Procedure.Status.PUBLISHED)
        for name, value in row.values.items():
            setattr(procedure, name, value)
        procedure.sector = sectors[row.sector]
        procedure.postal_intake = procedure.postal_return = row.postal
        index(procedure)
        if stored is None:
            created.append((procedure, row.fee))
            continue
        procedure.version = F("version") + 1
        procedure.save()
        if "fee" in row.changes:
            _replace_single_fee(procedure, row.fee)
        summary.updated += 1
    Procedure.objects.bulk_create([procedure for procedure, _ in created])
    Fee.objects.bulk_create(
        Fee(procedure=procedure, name=DEFAULT_FEE_NAME, amount=fee)
        for procedure, fee in created
        if fee
    )
    summary.created += len(created)


def _replace_single_fee(procedure: Procedure, amount: int) -> None:
    fee = procedure.fees.first()
    if amount == 0:
        procedure.fees.all().delete()
    elif fee is None:
        Fee.objects.create(procedure=procedure, name=DEFAULT_FEE_NAME, amount=amount)
    else:
        fee.amount = amount
        fee.save(update_fields=["amount"])


def index(procedure: Procedure) -> None:
    """Refresh the folded copies used for search and alphabetical order."""
    procedure.sort_name = fold(procedure.name)[:500]
    procedure.search_text = fold(f"{procedure.code} {procedure.name} {procedure.sector.name}")


@transaction.atomic
def procedure_record_edit(
    *, procedure: Procedure, actor: User | None, created: bool = False
) -> Procedure:
    """Sửa thủ tục: after the procedure or its papers, fees or steps were saved, re-index
    it and bump its version; dossiers already received keep their own copy."""
    index(procedure)
    if not created:
        procedure.version = F("version") + 1
    procedure.save(update_fields=["search_text", "sort_name", "version", "updated_at"])
    procedure.refresh_from_db(fields=["version"])
    audit.record(
        actor=actor,
        event="procedures.procedure_created" if created else "procedures.procedure_edited",
        target=procedure,
        data={"version": procedure.version},
    )
    return procedure


@transaction.atomic
def sector_record_edit(*, sector: Sector, actor: User | None) -> None:
    """A sector's name is part of its procedures' search text."""
    for procedure in sector.procedures.select_related("sector"):
        procedure.sector = sector
        index(procedure)
        procedure.save(update_fields=["search_text"])
    audit.record(actor=actor, event="procedures.sector_edited", target=sector)


@transaction.atomic
def procedures_set_status(
    *, procedures: Iterable[Procedure], status: str, actor: User | None
) -> int:
    """Công bố / ngừng công bố: publish or withdraw procedures from the public catalogue."""
    changed = 0
    for procedure in procedures:
        if procedure.status == status:
            continue
        before = procedure.status
        procedure.status = status
        procedure.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            event="procedures.procedure_status_changed",
            target=procedure,
            data={"from": before, "to": status},
        )
        changed += 1
    return changed
