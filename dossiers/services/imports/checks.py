"""What the whole file is checked against: the catalogue it names (procedures, units in
force on the day, competent agencies) and the dossiers already stored."""

from collections import defaultdict
from datetime import datetime
from typing import Any

from dossiers.models import Channel, Dossier
from dossiers.services.common import time_limit
from dossiers.services.imports.rows import BATCH_SIZE, DossierRow
from portal.csv_import import Problem
from procedures.calendar import LOCAL_TIME, WorkingCalendar
from procedures.models import AdministrativeUnit, Agency, Procedure, ReceptionPoint
from procedures.selectors import procedure_terms, working_calendar
from procedures.services.periods import holder_on

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
    "applicant_name": "applicant_name", "agency_code": "agency_id",
    "reception_point_code": "reception_point_id", "submitted_at": "submitted_at",
    "result_electronic": "result_electronic", "result_digitized": "result_digitized",
}  # fmt: skip
# Left empty, these come from the catalogue or the calendar, which may have changed since.
DERIVED_WHEN_EMPTY = (
    "due_at", "online_level", "legacy_level", "agency_code", "reception_point_code",
)  # fmt: skip


class Catalogue:
    """The province's procedures, units, agencies and reception points, read once (a
    province has a few thousand of each at most, a file may have millions of rows), and
    what each import derives from them (agency, terms, calendar), computed once per key."""

    def __init__(
        self,
        procedures: list[Procedure],
        units: list[AdministrativeUnit],
        agencies: list[Agency],
        points: list[ReceptionPoint],
    ) -> None:
        self.procedures = {procedure.code: procedure for procedure in procedures}
        self.units: dict[str, list[AdministrativeUnit]] = defaultdict(list)
        for unit in units:
            self.units[unit.code].append(unit)
        self.agencies_of: dict[int, list[Agency]] = defaultdict(list)
        self.agencies_by_code: dict[str, list[Agency]] = defaultdict(list)
        for agency in sorted(agencies, key=lambda agency: agency.code):
            self.agencies_of[agency.unit_id].append(agency)
            self.agencies_by_code[agency.code].append(agency)
        self.settling: dict[int, set[int]] = defaultdict(set)
        links = Procedure.agencies.through.objects.values_list("procedure_id", "agency_id")
        for procedure_id, agency_id in links:
            self.settling[procedure_id].add(agency_id)
        self.points_by_code = {point.code: point for point in points}
        # Reception points of each unit, with the agencies each serves.
        self.points_of: dict[int, list[tuple[ReceptionPoint, set[int]]]] = defaultdict(list)
        for point in points:
            served = {agency.pk for agency in point.agencies.all()}
            self.points_of[point.unit_id].append((point, served))
        self._points: dict[tuple[int, int], ReceptionPoint | None] = {}
        self._agencies: dict[tuple[int, int], Agency | None] = {}
        self._terms: dict[int, dict[str, Any]] = {}
        self._limits: dict[int, tuple[float, str]] = {}
        self._calendars: dict[int, WorkingCalendar] = {}

    @classmethod
    def load(cls) -> "Catalogue":
        return cls(
            list(Procedure.objects.select_related("sector")),
            list(AdministrativeUnit.objects.select_related("parent__parent")),
            list(Agency.objects.all()),
            list(ReceptionPoint.objects.prefetch_related("agencies")),
        )

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

    def agency_named(self, code: str, moment: datetime) -> Agency | str:
        """The agency that bore `code` on the local date of `moment`, or why there is none."""
        holders = self.agencies_by_code.get(code)
        if not holders:
            return f"unknown agency {code}"
        day = moment.astimezone(LOCAL_TIME).date()
        return holder_on(holders, day) or f"no agency {code} in force on {day}"

    def point_named(self, code: str) -> ReceptionPoint | str:
        return self.points_by_code.get(code) or f"unknown reception point {code}"

    def default_point(self, unit: AdministrativeUnit, agency: Agency) -> ReceptionPoint | None:
        """The one reception point of the unit that serves the agency, if only one does."""
        key = (unit.pk, agency.pk)
        if key not in self._points:
            serving = [point for point, served in self.points_of[unit.pk] if agency.pk in served]
            self._points[key] = serving[0] if len(serving) == 1 else None
        return self._points[key]

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
    while (parent := chain[-1].parent) is not None:
        chain.append(parent)
    return chain


def check_dossiers(
    rows: list[DossierRow], catalogue: Catalogue, *, update: bool, seen: dict[str, int]
) -> list[Problem]:
    """Problems of a batch of rows; `seen` holds the codes of the file so far (line)."""
    problems: list[Problem] = []
    for row in rows:
        if row.code in seen:
            problems.append(Problem(row.line, "code", f"{row.code} repeats row {seen[row.code]}"))
        seen.setdefault(row.code, row.line)
        row.procedure = catalogue.procedures.get(row.procedure_code)
        if row.procedure is None:
            problems.append(
                Problem(row.line, "procedure_code", f"unknown procedure {row.procedure_code}")
            )
        problems.extend(_resolve(row, catalogue))
    resolved = [row for row in rows if row.agency is not None]
    problems.extend(_check_stored(resolved, update=update))
    return problems


def _resolve(row: DossierRow, catalogue: Catalogue) -> list[Problem]:
    """The unit, competent agency and reception point a row names or defaults to."""
    problems = []
    unit: AdministrativeUnit | str | None = catalogue.unit_on(row.unit_code, row.received_at)
    if isinstance(unit, str):
        problems.append(Problem(row.line, "unit_code", unit))
        unit = None
    agency: Agency | str | None = None
    if row.agency_code:
        agency = catalogue.agency_named(row.agency_code, row.received_at)
    elif unit is not None and row.procedure is not None:
        agency = catalogue.agency(row.procedure, unit) or (
            f"no agency of {unit.code} settles {row.procedure.code}; give agency_code"
        )
    if isinstance(agency, str):
        problems.append(Problem(row.line, "agency_code", agency))
        agency = None
    point: ReceptionPoint | str | None = None
    if row.reception_point_code:
        point = catalogue.point_named(row.reception_point_code)
        if isinstance(point, str):
            problems.append(Problem(row.line, "reception_point_code", point))
            point = None
    elif unit is not None and agency is not None:
        point = catalogue.default_point(unit, agency)
    if unit is not None and agency is not None and row.procedure is not None and not problems:
        row.unit, row.agency, row.reception_point = unit, agency, point  # type: ignore[assignment]
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
    if column == "agency_code":
        return row.agency.pk  # type: ignore[union-attr]
    if column == "reception_point_code":
        return row.reception_point.pk if row.reception_point else None
    if column == "online_level" and row.channel != Channel.ONLINE:
        return ""
    return getattr(row, column)
