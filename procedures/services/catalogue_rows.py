"""The rows of a procedure file, shared by import_procedures and import_catalogue's
procedures.csv: parsed, checked against the stored catalogue, then written in bulk."""

from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from portal.bulk import insert_rows
from portal.csv_import import ImportSummary, Problem, Row
from procedures.deadlines import TimeLimitUnit
from procedures.models import AdministrativeUnit, Agency, Fee, OnlineLevel, Procedure, Sector
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
    "agencies",
]
PROCEDURE_REQUIRED_COLUMNS = ["code", "name", "sector", "level", "time_limit", "time_limit_unit"]
# The rest of a procedure's description (RULES.md §2), in import_catalogue's procedures.csv:
# text columns with their maximum length (0: none), then the others.
DETAIL_TEXT = {
    "time_limit_note": 500,
    "deciding_authority": 255,
    "applicants": 0,
    "conditions": 0,
    "result_name": 500,
    "legal_basis": 0,
    "publication_decision": 200,
}
DETAIL_COLUMNS = [
    *DETAIL_TEXT,
    "result_paper",
    "result_electronic",
    "postal_intake",
    "postal_return",
    "status",
    "valid_from",
    "valid_to",
]
CATALOGUE_PROCEDURE_COLUMNS = PROCEDURE_COLUMNS + DETAIL_COLUMNS
MAX_TIME_LIMIT = Decimal("99999.99")
DEFAULT_FEE_NAME = "Phí, lệ phí"
# Day-based limits are counted in whole days (RULES.md §4).
WHOLE_UNITS = {TimeLimitUnit.WORKING_DAYS, TimeLimitUnit.CALENDAR_DAYS}
_REQUIRED_VALUES = ("name", "level", "time_limit", "time_limit_unit")


@dataclass
class ProcedureRow:
    line: int
    code: str
    sector: str
    fee: int
    fee_given: bool
    # None when the file gives postal_intake / postal_return, which are then in `values`.
    postal: bool | None
    values: dict[str, object]
    # None when not given: the stored agencies stay.
    agencies: list[str] | None
    changes: list[str] = field(default_factory=list)


@dataclass
class StoredCatalogue:
    """What the rows are checked against, read once per file."""

    procedures: dict[str, Procedure]
    sectors: dict[str, Sector]
    agencies: dict[str, int]
    procedure_agencies: dict[int, set[int]]

    @classmethod
    def load(cls) -> "StoredCatalogue":
        links: dict[int, set[int]] = {}
        through = Procedure.agencies.through.objects.values_list("procedure_id", "agency_id")
        for procedure_id, agency_id in through:
            links.setdefault(procedure_id, set()).add(agency_id)
        return cls(
            procedures={
                procedure.code: procedure
                for procedure in Procedure.objects.select_related("sector").prefetch_related("fees")
            },
            sectors={sector.name: sector for sector in Sector.objects.all()},
            agencies=dict(Agency.objects.values_list("code", "id")),
            procedure_agencies=links,
        )


def procedure_from_row(row: Row) -> ProcedureRow | None:
    code = row.text("code", required=True)
    # regex: compiled by RegexValidator(); the stubs type it as the str it may be given.
    if code is not None and not procedure_code_validator.regex.fullmatch(code):  # type: ignore[union-attr]
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
    postal: bool | None = row.boolean("postal", default=True)
    values["time_limit"] = checked_time_limit(row, values["time_limit"], values["time_limit_unit"])  # type: ignore[arg-type]
    if values["legacy_level"] is not None:
        values["legacy_level"] = int(values["legacy_level"])  # type: ignore[call-overload]
    if "postal_intake" in row.values or "postal_return" in row.values:
        values["postal_intake"] = row.boolean("postal_intake", default=postal)  # type: ignore[arg-type]
        values["postal_return"] = row.boolean("postal_return", default=postal)  # type: ignore[arg-type]
        postal = None
    _details(row, values)
    agencies = _agency_codes(row)
    if code is None or sector is None or any(values[name] is None for name in _REQUIRED_VALUES):
        return None
    return ProcedureRow(row.line, code, sector, fee or 0, fee is not None, postal, values, agencies)


def checked_time_limit(row: Row, limit: Decimal | None, unit: str | None) -> Decimal | None:
    """The limit with two decimals, or None (and a problem) if the unit does not allow it."""
    if limit is None:
        return None
    if limit > MAX_TIME_LIMIT or limit.as_tuple().exponent < -2:  # type: ignore[operator]
        row.problem("time_limit", f"at most {MAX_TIME_LIMIT}, with two decimals")
        return None
    if unit in WHOLE_UNITS and limit != limit.to_integral_value():
        row.problem("time_limit", f"{unit} are whole days; give working_hours instead")
        return None
    if unit == TimeLimitUnit.SAME_DAY and limit != 0:
        row.problem("time_limit", "0 with same_day (the result is due the same day)")
        return None
    return limit.quantize(Decimal("0.01"))


def _details(row: Row, values: dict[str, object]) -> None:
    """The columns of import_catalogue, each compared and written only when the file has it."""
    given = row.values
    for column, max_length in DETAIL_TEXT.items():
        if column in given:
            values[column] = row.text(column, max_length=max_length) or ""
    for column, default in (("result_paper", True), ("result_electronic", False)):
        if column in given:
            values[column] = row.boolean(column, default=default)
    if "status" in given:
        values["status"] = (
            row.choice("status", Procedure.Status.values) or Procedure.Status.PUBLISHED
        )
    for column in ("valid_from", "valid_to"):
        if column in given:
            values[column] = row.date(column)
    start, end = values.get("valid_from"), values.get("valid_to")
    if start and end and end < start:  # type: ignore[operator]
        row.problem("valid_to", f"{end} is before valid_from {start}")


def _agency_codes(row: Row) -> list[str] | None:
    # An empty cell, or no column, keeps the stored list.
    return row.codes("agencies") or None


def sector_code(name: str) -> str:
    return slugify(fold(name))[:80]


def check_procedures(
    rows: list[ProcedureRow],
    stored: StoredCatalogue,
    *,
    update: bool,
    itemised: Collection[str] = (),
    fee_items_hint: str = "change them in the administration",
) -> list[Problem]:
    """Repeated codes, sectors, agencies, and changes to stored procedures (refused without
    `update`). Procedures in `itemised` have their fee items given elsewhere."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    sector_codes = {sector.code: sector.name for sector in stored.sectors.values()}
    for row in rows:
        if row.code in seen:
            problems.append(Problem(row.line, "code", f"{row.code} repeats row {seen[row.code]}"))
            continue
        seen[row.code] = row.line
        problems.extend(_check_sector(row, sector_codes))
        unknown = [code for code in row.agencies or () if code not in stored.agencies]
        problems.extend(Problem(row.line, "agencies", f"unknown agency {c}") for c in unknown)
        procedure = stored.procedures.get(row.code)
        if procedure is None or unknown:
            continue
        row.changes = _changes(row, procedure, stored, itemised)
        fees = list(procedure.fees.all())
        if "fee" in row.changes and len(fees) > 1:
            problems.append(
                Problem(row.line, "fee", f"{row.code} has {len(fees)} fee items; {fee_items_hint}")
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
    code = sector_code(row.sector)
    if not code:
        return [Problem(row.line, "sector", "needs letters or digits")]
    known = sector_codes.setdefault(code, row.sector)
    if known != row.sector:
        return [Problem(row.line, "sector", f"{row.sector!r} differs from {known!r} only in form")]
    return []


def _changes(
    row: ProcedureRow, stored: Procedure, catalogue: StoredCatalogue, itemised: Collection[str]
) -> list[str]:
    changes = [name for name, value in row.values.items() if getattr(stored, name) != value]
    if stored.sector.name != row.sector:
        changes.append("sector")
    if row.code not in itemised and stored.total_fee != row.fee:
        changes.append("fee")
    if row.postal is not None and not (stored.postal_intake == stored.postal_return == row.postal):
        changes.append("postal")
    if row.agencies is not None and _agency_ids(row, catalogue) != catalogue.procedure_agencies.get(
        stored.pk, set()
    ):
        changes.append("agencies")
    return changes


def _agency_ids(row: ProcedureRow, catalogue: StoredCatalogue) -> set[int]:
    return {catalogue.agencies[code] for code in row.agencies or ()}


def summarise(rows: list[ProcedureRow], stored: StoredCatalogue) -> ImportSummary:
    summary = ImportSummary(rows=len(rows))
    for row in rows:
        if row.code not in stored.procedures:
            summary.created += 1
        elif row.changes:
            summary.updated += 1
        else:
            summary.unchanged += 1
    return summary


def write_procedures(
    rows: list[ProcedureRow], stored: StoredCatalogue, *, itemised: Collection[str] = ()
) -> dict[str, Procedure]:
    """Create and change the procedures of checked rows, a few queries for the lot; returns
    every row's procedure by code. Changed ones get a new version, as an admin edit does."""
    for row in rows:
        if row.sector not in stored.sectors:
            stored.sectors[row.sector] = Sector.objects.create(
                name=row.sector, code=sector_code(row.sector)
            )
    written: dict[str, Procedure] = {}
    created: list[ProcedureRow] = []
    updated: list[ProcedureRow] = []
    now = timezone.now()
    for row in rows:
        procedure = stored.procedures.get(row.code)
        if procedure is not None and not row.changes:
            written[row.code] = procedure
            continue
        procedure = procedure or Procedure(code=row.code, status=Procedure.Status.PUBLISHED)
        for name, value in row.values.items():
            setattr(procedure, name, value)
        procedure.sector = stored.sectors[row.sector]
        if row.postal is not None:
            procedure.postal_intake = procedure.postal_return = row.postal
        index(procedure)
        written[row.code] = procedure
        if procedure.pk is None:
            created.append(row)
        else:
            procedure.version = F("version") + 1
            procedure.updated_at = now
            updated.append(row)
    Procedure.objects.bulk_create([written[row.code] for row in created], batch_size=1000)
    if updated:
        names = {name for row in updated for name in row.values}
        names |= {"sector", "postal_intake", "postal_return", "search_text", "sort_name"}
        Procedure.objects.bulk_update(
            [written[row.code] for row in updated],
            [*sorted(names), "version", "updated_at"],
            batch_size=500,
        )
    insert_rows(
        Fee,
        (
            {"procedure_id": written[row.code].pk, "name": DEFAULT_FEE_NAME, "amount": row.fee}
            for row in created
            if row.fee and row.code not in itemised
        ),
    )
    for row in updated:
        if "fee" in row.changes:
            _replace_single_fee(written[row.code], row.fee)
    _write_agencies(created, updated, written, stored)
    return written


def _write_agencies(
    created: list[ProcedureRow],
    updated: list[ProcedureRow],
    written: dict[str, Procedure],
    stored: StoredCatalogue,
) -> None:
    """With --update the file's list replaces the stored one."""
    through = Procedure.agencies.through
    replaced = [row for row in updated if "agencies" in row.changes]
    through.objects.filter(procedure_id__in=[written[row.code].pk for row in replaced]).delete()
    insert_rows(
        through,
        (
            {"procedure_id": written[row.code].pk, "agency_id": agency_id}
            for row in [*created, *replaced]
            for agency_id in sorted(_agency_ids(row, stored))
        ),
    )


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
