"""Nhập hồ sơ tồn đọng: historical dossiers from a legacy one-door system (import_dossiers,
INTERFACES.md §2), stored in the state they were recorded in. No transition runs, so no
notification, hand-over or code allocation happens; each dossier gets one audit event."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from psycopg import sql

from dossiers.codes import CODE_PATTERN, new_reference
from dossiers.models import Channel, Dossier, Evaluation, ResultDelivery, Status
from dossiers.services.common import time_limit
from portal.csv_import import CsvFile, ImportRejectedError, ImportSummary, Problem, Row
from portal.models import AuditEvent, User
from procedures import deadlines
from procedures.calendar import LOCAL_TIME, WorkingCalendar
from procedures.models import AdministrativeUnit, Agency, OnlineLevel, Procedure
from procedures.selectors import procedure_terms, working_calendar

DOSSIER_COLUMNS = [
    "code", "procedure_code", "unit_code", "channel", "received_at", "status", "due_at",
    "completed_at", "returned_at", "withdrawn_at", "result_delivery", "online_level",
    "legacy_level", "supplement_count", "digitized", "fee_amount", "paid_online",
    "satisfaction", "evaluated_at", "applicant_name",
]  # fmt: skip
DOSSIER_REQUIRED_COLUMNS = DOSSIER_COLUMNS[:6]
# Drafts, submissions and refusals never reached reception: nothing to count them by.
IMPORTED_STATUSES = [
    Status.RECEIVED, Status.IN_PROCESS, Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION, Status.WITHDRAWN, Status.STOPPED, Status.COMPLETED,
    Status.RETURNED,
]  # fmt: skip
# A moment column and the statuses that need it (and that alone may have it).
STATUS_MOMENTS = {
    "completed_at": (Status.STOPPED, Status.COMPLETED, Status.RETURNED),
    "returned_at": (Status.RETURNED,),
    "withdrawn_at": (Status.WITHDRAWN,),
}
# Stored columns a re-import compares, by CSV column; the rest are derived from these.
STORED_FIELDS = {
    "procedure_code": "procedure__code", "unit_code": "unit_id", "channel": "channel",
    "received_at": "received_at", "status": "status", "due_at": "due_at",
    "completed_at": "processing_ended_at", "returned_at": "returned_at",
    "withdrawn_at": "withdrawn_at", "result_delivery": "result_delivery",
    "online_level": "online_level", "legacy_level": "legacy_level",
    "supplement_count": "supplement_count", "digitized": "digitized",
    "fee_amount": "fee_amount", "paid_online": "paid_online",
    "satisfaction": "evaluation__rating", "evaluated_at": "evaluation__evaluated_at",
    "applicant_name": "applicant_name",
}  # fmt: skip
# Left empty, these come from the catalogue or the calendar, which may have changed since.
DERIVED_WHEN_EMPTY = ("due_at", "online_level", "legacy_level")
# Enum `.values` builds a new list at every call: once here, not once a cell.
CHANNELS = Channel.values
DELIVERIES = ResultDelivery.values
RATINGS = Evaluation.Rating.values
ONLINE_LEVELS = [OnlineLevel.PARTIAL.value, OnlineLevel.FULL.value]
CODE_EXAMPLE = "000.00.16.H56-250102-0001"
MAX_SUPPLEMENTS = 32767  # PositiveSmallIntegerField
BATCH_SIZE = 2000
EVENT = "dossiers.imported"
EVALUATION_CHANNEL = "imported"


@dataclass(slots=True)
class DossierRow:
    line: int
    code: str
    procedure_code: str
    unit_code: str
    channel: str
    status: str
    received_at: datetime
    due_at: datetime | None
    completed_at: datetime | None
    returned_at: datetime | None
    withdrawn_at: datetime | None
    evaluated_at: datetime | None
    satisfaction: str | None
    result_delivery: str
    online_level: str | None
    legacy_level: int | None
    supplement_count: int
    fee_amount: int
    digitized: bool
    paid_online: bool
    applicant_name: str
    procedure: Procedure | None = None
    unit: AdministrativeUnit | None = None
    agency: Agency | None = None
    unchanged: bool = False


def dossiers_import(
    *, path: Path, update: bool = False, actor: User | None = None
) -> ImportSummary:
    """Nhập hồ sơ: validate the whole file, then write every dossier or none.

    `unit_code` names the unit that bore the code on the local date of `received_at`
    (codes are reused across the 2025 reform); the agency follows `Catalogue.agency`.
    A row whose code is stored with the same data is left alone (empty due_at,
    online_level and legacy_level are not compared: they were derived from a catalogue
    that may have changed since); one with other data is refused, `update` or not: a
    historical dossier is corrected in the legacy system, never rewritten here."""
    csv_file = CsvFile(path, columns=DOSSIER_COLUMNS, required=DOSSIER_REQUIRED_COLUMNS)
    parsed = [row for raw in csv_file.rows() if (row := _dossier_from_row(raw)) is not None]
    problems = csv_file.problems
    catalogue = Catalogue.load(parsed)
    problems.extend(_check_dossiers(parsed, catalogue, update=update))
    if problems:
        raise ImportRejectedError(problems)

    summary = ImportSummary(rows=len(parsed))
    fresh = [row for row in parsed if not row.unchanged]
    summary.unchanged = len(parsed) - len(fresh)
    with transaction.atomic():
        for start in range(0, len(fresh), BATCH_SIZE):
            _write_batch(fresh[start : start + BATCH_SIZE], catalogue, actor)
    summary.created = len(fresh)
    return summary


def _dossier_from_row(row: Row) -> DossierRow | None:
    code = row.text("code", required=True, max_length=48)
    if code is not None and not CODE_PATTERN.fullmatch(code):
        row.problem("code", f"{code!r} is not a dossier code like {CODE_EXAMPLE}")
        code = None
    procedure_code = row.text("procedure_code", required=True)
    unit_code = row.text("unit_code", required=True)
    channel = row.choice("channel", CHANNELS, required=True)
    status = row.choice("status", IMPORTED_STATUSES, required=True)
    received_at = row.datetime("received_at", required=True)
    moments = {name: row.datetime(name) for name in ("due_at", *STATUS_MOMENTS, "evaluated_at")}
    online_level = row.choice("online_level", ONLINE_LEVELS)
    if online_level and channel and channel != Channel.ONLINE:
        row.problem("online_level", "only for online dossiers")
    legacy_level = row.choice("legacy_level", ["2", "3", "4"])
    supplement_count = row.integer("supplement_count", minimum=0) or 0
    if supplement_count > MAX_SUPPLEMENTS:
        row.problem("supplement_count", f"at most {MAX_SUPPLEMENTS}")
    satisfaction = row.choice("satisfaction", RATINGS)
    values = {
        "result_delivery": row.choice("result_delivery", DELIVERIES) or "",
        "fee_amount": row.integer("fee_amount", minimum=0) or 0,
        "digitized": row.boolean("digitized", default=False),
        "paid_online": row.boolean("paid_online", default=False),
        "applicant_name": row.text("applicant_name", max_length=200) or "",
    }
    if None in (code, procedure_code, unit_code, channel, status, received_at):
        return None
    moments["evaluated_at"] = _check_moments(row, status, received_at, moments, satisfaction)
    return DossierRow(
        row.line, code, procedure_code, unit_code, channel, status, received_at,
        satisfaction=satisfaction, online_level=online_level,
        legacy_level=int(legacy_level) if legacy_level else None,
        supplement_count=supplement_count, **moments, **values,
    )  # fmt: skip


def _check_moments(
    row: Row,
    status: str,
    received_at: datetime,
    moments: dict[str, datetime | None],
    satisfaction: str | None,
) -> datetime | None:
    """The order of events, and which status has which; returns the evaluation time."""
    for column, statuses in STATUS_MOMENTS.items():
        given = bool(row.values.get(column, "").strip())
        if status in statuses and not given:
            row.problem(column, f"required for a {status} dossier")
        elif given and status not in statuses:
            row.problem(column, f"only for {' or '.join(statuses)} dossiers")
    earlier = {
        "due_at": ("received_at", received_at),
        "completed_at": ("received_at", received_at),
        "returned_at": ("completed_at", moments["completed_at"]),
        "withdrawn_at": ("received_at", received_at),
        "evaluated_at": ("received_at", received_at),
    }
    for column, (before, bound) in earlier.items():
        moment = moments[column]
        if moment is not None and bound is not None and moment < bound:
            row.problem(column, f"before {before}")
    evaluated_at = moments["evaluated_at"]
    if satisfaction is None:
        if evaluated_at is not None:
            row.problem("evaluated_at", "given without satisfaction")
        return None
    evaluated_at = evaluated_at or moments["returned_at"] or moments["completed_at"]
    if evaluated_at is None and not row.values.get("evaluated_at", "").strip():
        row.problem("evaluated_at", "required for a satisfaction before the result")
    return evaluated_at


class Catalogue:
    """The procedures, units and agencies a file names, read once, and what each import
    derives from them (agency, terms, calendar), computed once per key."""

    def __init__(self, procedures: dict[str, Procedure], units: list[AdministrativeUnit]) -> None:
        self.procedures = procedures
        self.units: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        chain_ids = set()
        for unit in units:
            self.units[unit.code].append(unit)
            chain_ids |= {member.pk for member in _chain(unit)}
        self.agencies_of: dict[int, list[Agency]] = defaultdict(list)
        for agency in Agency.objects.filter(unit_id__in=chain_ids).order_by("code"):
            self.agencies_of[agency.unit_id].append(agency)
        self.settling: dict[int, set[int]] = defaultdict(set)
        links = Procedure.agencies.through.objects.filter(
            procedure_id__in=[procedure.pk for procedure in procedures.values()]
        ).values_list("procedure_id", "agency_id")
        for procedure_id, agency_id in links:
            self.settling[procedure_id].add(agency_id)
        self._agencies: dict[tuple[int, int], Agency | None] = {}
        self._terms: dict[int, dict[str, Any]] = {}
        self._limits: dict[int, tuple[float, str]] = {}
        self._calendars: dict[int, WorkingCalendar] = {}

    @classmethod
    def load(cls, rows: list[DossierRow]) -> "Catalogue":
        procedures = Procedure.objects.select_related("sector").filter(
            code__in={row.procedure_code for row in rows}
        )
        units = AdministrativeUnit.objects.select_related("parent__parent").filter(
            code__in={row.unit_code for row in rows}
        )
        return cls({procedure.code: procedure for procedure in procedures}, list(units))

    def unit_on(self, code: str, moment: datetime) -> AdministrativeUnit | str:
        """The unit that bore `code` on the local date of `moment`, or why there is none."""
        periods = self.units.get(code)
        if not periods:
            return f"unknown unit {code}"
        day = moment.astimezone(LOCAL_TIME).date()
        for unit in periods:
            if unit.is_valid_on(day):
                return unit
        return f"no unit {code} in force on {day}"

    def agency(self, procedure: Procedure, unit: AdministrativeUnit) -> Agency | None:
        """The competent agency, by a fixed rule, whatever the agencies' validity (old
        dossiers point at closed agencies): an agency that settles the procedure, in the
        unit, then in its parent, then its grandparent; else the unit's first agency, then
        its parent's. "First" is the lowest agency code."""
        key = (procedure.pk, unit.pk)
        if key not in self._agencies:
            chain = _chain(unit)
            settling = self.settling[procedure.pk]
            candidates = [
                *(a for m in chain for a in self.agencies_of[m.pk] if a.pk in settling),
                *(a for m in chain[:2] for a in self.agencies_of[m.pk]),
            ]
            self._agencies[key] = candidates[0] if candidates else None
        return self._agencies[key]

    def terms(self, procedure: Procedure) -> dict[str, Any]:
        if procedure.pk not in self._terms:
            self._terms[procedure.pk] = procedure_terms(procedure)
        return self._terms[procedure.pk]

    def time_limit(self, procedure: Procedure) -> tuple[float, str]:
        if procedure.pk not in self._limits:
            terms = self.terms(procedure)
            self._limits[procedure.pk] = time_limit(Dossier(procedure=procedure, terms=terms))
        return self._limits[procedure.pk]

    def calendar(self, unit: AdministrativeUnit) -> WorkingCalendar:
        if unit.pk not in self._calendars:
            self._calendars[unit.pk] = working_calendar(unit=unit)
        return self._calendars[unit.pk]


def _chain(unit: AdministrativeUnit) -> list[AdministrativeUnit]:
    """The unit and its ancestors (at most three levels)."""
    chain = [unit]
    while chain[-1].parent_id is not None:
        chain.append(chain[-1].parent)
    return chain


def _check_dossiers(rows: list[DossierRow], catalogue: Catalogue, *, update: bool) -> list[Problem]:
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for row in rows:
        if row.code in seen:
            problems.append(Problem(row.line, "code", f"{row.code} repeats row {seen[row.code]}"))
        seen.setdefault(row.code, row.line)
        row.procedure = catalogue.procedures.get(row.procedure_code)
        if row.procedure is None:
            problems.append(
                Problem(row.line, "procedure_code", f"unknown procedure {row.procedure_code}")
            )
        unit = catalogue.unit_on(row.unit_code, row.received_at)
        if isinstance(unit, str):
            problems.append(Problem(row.line, "unit_code", unit))
        elif row.procedure is not None:
            row.unit, row.agency = unit, catalogue.agency(row.procedure, unit)
            if row.agency is None:
                reason = f"no agency of {unit.code} settles {row.procedure.code}"
                problems.append(Problem(row.line, "unit_code", reason))
    resolved = [row for row in rows if row.agency is not None]
    problems.extend(_check_stored(resolved, update=update))
    return problems


def _check_stored(rows: list[DossierRow], *, update: bool) -> list[Problem]:
    """Codes already stored: the same row again is a no-op, other data is refused."""
    problems = []
    for start in range(0, len(rows), BATCH_SIZE):
        batch = {row.code: row for row in rows[start : start + BATCH_SIZE]}
        stored_rows = Dossier.objects.filter(code__in=batch).values(
            "code", "imported", *STORED_FIELDS.values()
        )
        for stored in stored_rows:
            row = batch[stored["code"]]
            if not stored["imported"]:
                reason = f"{row.code} already exists, received in the portal"
                problems.append(Problem(row.line, "code", reason))
                continue
            changes = [
                column
                for column, field in STORED_FIELDS.items()
                if stored[field] != _stored_value(row, column)
                and not (column in DERIVED_WHEN_EMPTY and getattr(row, column) is None)
            ]
            row.unchanged = not changes
            if changes:
                reason = f"{row.code} already exists with other {', '.join(changes)}"
                if update:
                    reason += "; imported dossiers are not updated"
                problems.append(Problem(row.line, "code", reason))
    return problems


def _stored_value(row: DossierRow, column: str) -> object:
    if column == "unit_code":
        return row.unit.pk  # type: ignore[union-attr]
    if column == "online_level" and row.channel != Channel.ONLINE:
        return ""
    return getattr(row, column)


def _write_batch(rows: list[DossierRow], catalogue: Catalogue, actor: User | None) -> None:
    dossiers = [_dossier_values(row, catalogue) for row in rows]
    _insert(Dossier, dossiers)
    evaluations = [
        {
            "dossier_id": dossier["id"],
            "rating": row.satisfaction,
            "channel": EVALUATION_CHANNEL,
            "evaluated_at": row.evaluated_at,
        }
        for row, dossier in zip(rows, dossiers, strict=True)
        if row.satisfaction
    ]
    _insert(Evaluation, evaluations)
    target_type_id = ContentType.objects.get_for_model(Dossier).pk
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    events = [
        {
            "actor_id": actor_id,
            "event": EVENT,
            "target_type_id": target_type_id,
            "target_id": str(dossier["id"]),
            "target_label": dossier["code"],
            "data": {"status": dossier["status"]},
        }
        for dossier in dossiers
    ]
    _insert(AuditEvent, events)


def _dossier_values(row: DossierRow, catalogue: Catalogue) -> dict[str, Any]:
    procedure, unit, agency = row.procedure, row.unit, row.agency
    # _check_dossiers resolved all three, or refused the file.
    assert procedure is not None
    assert unit is not None
    assert agency is not None
    online_level = ""
    if row.channel == Channel.ONLINE:
        online_level = row.online_level or procedure.online_level
        online_level = "" if online_level == OnlineLevel.NONE else online_level
    due_at = row.due_at
    if due_at is None:
        limit, limit_unit = catalogue.time_limit(procedure)
        due_at = deadlines.due_at(catalogue.calendar(unit), row.received_at, limit, limit_unit)
    return {
        "id": uuid.uuid4(),
        "code": row.code,
        "reference": new_reference(),
        "status": row.status,
        "procedure_id": procedure.pk,
        "procedure_version": procedure.version,
        "terms": catalogue.terms(procedure),
        "agency_id": agency.pk,
        "unit_id": unit.pk,
        "channel": row.channel,
        "online_level": online_level,
        "legacy_level": row.legacy_level or procedure.legacy_level,
        "applicant_name": row.applicant_name,
        "result_delivery": row.result_delivery,
        "fee_amount": row.fee_amount,
        "paid_online": row.paid_online,
        "digitized": row.digitized,
        "received_at": row.received_at,
        "due_at": due_at,
        "supplement_count": row.supplement_count,
        "processing_ended_at": row.completed_at,
        "returned_at": row.returned_at,
        "withdrawn_at": row.withdrawn_at,
        "imported": True,
    }


def _insert(model: type[models.Model], rows: list[dict[str, Any]]) -> None:
    """Insert new rows given as {attname: value}; other fields take the model's defaults.

    On PostgreSQL by COPY: bulk_create sends a batch as one array per column, and psycopg
    builds those arrays in Python, quoting every timestamp, name and JSON document; that
    cost most of the time at 2,400 rows/s (docs/PERFORMANCE.md)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        return
    meta = model._meta
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    json_fields = [field for field in fields if isinstance(field, models.JSONField)]
    template = model()
    defaults = {field.attname: field.pre_save(template, add=True) for field in fields}
    for field in fields:
        if field not in json_fields:
            defaults[field.attname] = field.get_db_prep_save(defaults[field.attname], connection)
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(meta.db_table),
        sql.SQL(", ").join(sql.Identifier(field.column) for field in fields),
    )
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            values = defaults | row
            for field in json_fields:
                values[field.attname] = field.get_db_prep_save(values[field.attname], connection)
            copy.write_row([values[field.attname] for field in fields])
