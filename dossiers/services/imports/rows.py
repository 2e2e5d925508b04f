"""Parsing a line of the dossier file (INTERFACES.md §2) into a checked, compact row."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dossiers.models import Channel, Evaluation, ResultDelivery, Status
from portal.csv_import import Row
from procedures.models import AdministrativeUnit, Agency, OnlineLevel, Procedure, ReceptionPoint

DOSSIER_COLUMNS = [
    "code", "procedure_code", "unit_code", "channel", "received_at", "status",
    "agency_code", "reception_point_code", "submitted_at", "due_at",
    "completed_at", "returned_at", "withdrawn_at", "result_delivery", "online_level",
    "legacy_level", "supplement_count", "digitized", "result_electronic", "result_digitized",
    "fee_amount", "paid_online", "satisfaction", "evaluated_at", "applicant_name",
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
# Enum `.values` builds a new list at every call: once here, not once a cell.
CHANNELS = Channel.values
DELIVERIES = ResultDelivery.values
RATINGS = Evaluation.Rating.values
ONLINE_LEVELS = [OnlineLevel.PARTIAL.value, OnlineLevel.FULL.value]
CODE_MAX_LENGTH = 48
MAX_SUPPLEMENTS = 32767  # PositiveSmallIntegerField
# Rows checked against the stored codes, and written, at a time.
BATCH_SIZE = 2000


@dataclass(slots=True)
class DossierRow:
    line: int
    code: str
    procedure_code: str
    unit_code: str
    channel: str
    status: str
    received_at: datetime
    agency_code: str | None
    reception_point_code: str | None
    submitted_at: datetime | None
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
    result_electronic: bool
    result_digitized: bool
    paid_online: bool
    applicant_name: str
    procedure: Procedure | None = None
    unit: AdministrativeUnit | None = None
    agency: Agency | None = None
    reception_point: ReceptionPoint | None = None
    unchanged: bool = False


def is_legacy_code(code: str) -> bool:
    """A legacy system's code is kept verbatim: printable, no spaces (INTERFACES.md §2)."""
    return code.isprintable() and not any(character.isspace() for character in code)


def dossier_from_row(row: Row) -> DossierRow | None:
    code = row.text("code", required=True, max_length=CODE_MAX_LENGTH)
    if code is not None and not is_legacy_code(code):
        row.problem("code", f"{code!r}: printable characters without spaces only")
        code = None
    procedure_code = row.text("procedure_code", required=True)
    unit_code = row.text("unit_code", required=True)
    channel = row.choice("channel", CHANNELS, required=True)
    status = row.choice("status", IMPORTED_STATUSES, required=True)
    received_at = row.datetime("received_at", required=True)
    # Both dicts are spread into DossierRow's keywords, each of its own type: Any here.
    moments: dict[str, Any] = {
        name: row.datetime(name)
        for name in ("submitted_at", "due_at", *STATUS_MOMENTS, "evaluated_at")
    }
    if moments["submitted_at"] is not None and channel and channel != Channel.ONLINE:
        row.problem("submitted_at", "only for online dossiers")
    online_level = row.choice("online_level", ONLINE_LEVELS)
    if online_level and channel and channel != Channel.ONLINE:
        row.problem("online_level", "only for online dossiers")
    legacy_level = row.choice("legacy_level", ["2", "3", "4"])
    supplement_count = row.integer("supplement_count", minimum=0) or 0
    if supplement_count > MAX_SUPPLEMENTS:
        row.problem("supplement_count", f"at most {MAX_SUPPLEMENTS}")
    satisfaction = row.choice("satisfaction", RATINGS)
    values: dict[str, Any] = {
        "result_delivery": row.choice("result_delivery", DELIVERIES) or "",
        "fee_amount": row.integer("fee_amount", minimum=0) or 0,
        "digitized": row.boolean("digitized", default=False),
        "result_electronic": row.boolean("result_electronic", default=False),
        "result_digitized": row.boolean("result_digitized", default=False),
        "agency_code": row.text("agency_code"),
        "reception_point_code": row.text("reception_point_code"),
        "paid_online": row.boolean("paid_online", default=False),
        "applicant_name": row.text("applicant_name", max_length=200) or "",
    }
    if (
        code is None
        or procedure_code is None
        or unit_code is None
        or channel is None
        or status is None
        or received_at is None
    ):
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
    if moments["submitted_at"] is not None and moments["submitted_at"] > received_at:
        row.problem("submitted_at", "after received_at")
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
