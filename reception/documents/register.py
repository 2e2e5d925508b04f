"""Mẫu 06: Sổ theo dõi hồ sơ, the register of a reception point for a period, as rows
read in chunks (memory stays bounded), and written as a workbook."""

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment

from dossiers import timeliness
from dossiers.models import Dossier, HandOver, Status
from dossiers.selectors import dossiers_visible_to
from portal.models import User
from portal.spreadsheets import xlsx_text
from procedures.calendar import LOCAL_TIME
from procedures.models import ReceptionPoint
from reception.documents import formatting as fmt

CHUNK = 1000
HEADINGS = [
    "TT",
    "Mã hồ sơ",
    "Tên thủ tục hành chính",
    "Số lượng hồ sơ (bộ)",
    "Tên cá nhân, tổ chức",
    "Địa chỉ, số điện thoại",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Chuyển hồ sơ đến cơ quan giải quyết",
    "Nhận kết quả từ cơ quan giải quyết",
    "Trả kết quả cho cá nhân, tổ chức",
    "Phương thức nhận kết quả",
    "Ký nhận",
    "Ghi chú",
]
DATE_COLUMNS = range(7, 12)  # the five "Ngày, tháng, năm" columns
COLUMN_WIDTHS = [5, 22, 36, 8, 24, 30, 28, 16, 16, 16, 16, 16, 20, 10, 28]
NOTES = {
    Status.WITHDRAWN: "Rút hồ sơ",
    Status.STOPPED: "Dừng giải quyết",
    Status.SUPPLEMENT_REQUESTED: "Chờ bổ sung hồ sơ",
    Status.FINANCIAL_OBLIGATION: "Chờ thực hiện nghĩa vụ tài chính",
}


@dataclass(frozen=True)
class RegisterRow:
    sequence: int
    code: str
    procedure: str
    sets: int
    applicant: str
    contact: str
    agency: str
    received_at: datetime | None
    due_at: datetime | None
    transferred_at: datetime | None
    result_received_at: datetime | None
    returned_at: datetime | None
    delivery: str
    note: str

    def cells(self) -> list[object]:
        return [
            self.sequence,
            self.code,
            self.procedure,
            self.sets,
            self.applicant,
            self.contact,
            self.agency,
            self.received_at,
            self.due_at,
            self.transferred_at,
            self.result_received_at,
            self.returned_at,
            self.delivery,
            "",
            self.note,
        ]


@dataclass
class Totals:
    received: int = 0
    returned: int = 0
    by_channel: dict[str, int] = field(default_factory=lambda: dict.fromkeys(fmt.CHANNELS, 0))

    def lines(self) -> list[str]:
        channels = "; ".join(
            f"{label.lower()}: {self.by_channel[key]}" for key, label in fmt.CHANNELS.items()
        )
        return [
            f"Tổng số hồ sơ tiếp nhận: {self.received} ({channels})",
            f"Đã trả kết quả: {self.returned}",
        ]

    def pairs(self) -> list[tuple[str, int]]:
        """The same figures as label and number, for a spreadsheet."""
        return [
            ("Tổng số hồ sơ tiếp nhận", self.received),
            *((label, self.by_channel[key]) for key, label in fmt.CHANNELS.items()),
            ("Đã trả kết quả", self.returned),
        ]


def period_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Inclusive local dates as a half-open interval of instants."""
    return (
        datetime.combine(start, time.min, tzinfo=LOCAL_TIME),
        datetime.combine(end + timedelta(days=1), time.min, tzinfo=LOCAL_TIME),
    )


def period_label(start: date, end: date) -> str:
    return f"Từ ngày {start:%d/%m/%Y} đến ngày {end:%d/%m/%Y}"


def register_dossiers(
    *, user: User, point: ReceptionPoint, start: date, end: date
) -> QuerySet[Dossier]:
    """Dossiers received at the point in the period, as far as the officer sees them."""
    since, until = period_bounds(start, end)
    first_hand_over = HandOver.objects.filter(dossier=OuterRef("pk"), sequence=1)
    return (
        dossiers_visible_to(user)
        .filter(reception_point=point, received_at__gte=since, received_at__lt=until)
        .select_related("agency")
        .only(
            "code",
            "reference",
            "status",
            "terms",
            "procedure__name",
            "agency__name",
            "channel",
            "applicant_name",
            "applicant_address",
            "applicant_phone",
            "received_at",
            "due_at",
            "rescheduled_due_at",
            "paused_at",
            "processing_ended_at",
            "returned_at",
            "result_delivery",
            "supplement_count",
            "sets_count",
        )
        .select_related("procedure")
        .annotate(transferred_at=Subquery(first_hand_over.values("sent_at")[:1]))
        .order_by("received_at", "code")
    )


def _note(dossier: Dossier, now: datetime) -> str:
    notes = []
    if dossier.status in NOTES:
        notes.append(NOTES[Status(dossier.status)])
    if dossier.processing_ended_at is not None and dossier.status != Status.STOPPED:
        assert dossier.due_at is not None  # set at reception
        notes.append(
            fmt.TIMELINESS[
                timeliness.timeliness_when_ended(
                    dossier.processing_ended_at, dossier.due_at, dossier.supplement_count
                )
            ]
        )
    elif (
        dossier.processing_ended_at is None
        and dossier.status != Status.WITHDRAWN
        and timeliness.is_overdue_now(dossier, now)
    ):
        notes.append("Quá hạn")
    if dossier.rescheduled_due_at is not None:
        notes.append(f"Hẹn lại: {fmt.short_time(dossier.rescheduled_due_at)}")
    return "; ".join(notes)


def register_rows(dossiers: QuerySet[Dossier], totals: Totals) -> Iterator[RegisterRow]:
    """One row per dossier, counted into `totals` as they go."""
    now = timezone.now()
    for sequence, dossier in enumerate(dossiers.iterator(chunk_size=CHUNK), start=1):
        totals.received += 1
        totals.by_channel[dossier.channel] = totals.by_channel.get(dossier.channel, 0) + 1
        totals.returned += dossier.status == Status.RETURNED
        contact = ", ".join(
            part for part in (dossier.applicant_address, dossier.applicant_phone) if part
        )
        yield RegisterRow(
            sequence=sequence,
            code=dossier.code or dossier.reference,
            procedure=(dossier.terms or {}).get("name") or dossier.procedure.name,
            sets=dossier.sets_count,
            applicant=dossier.applicant_name,
            contact=contact,
            agency=dossier.agency.name,
            received_at=dossier.received_at,
            due_at=dossier.due_at,
            # Annotated by the query above; the declared QuerySet[Dossier] does not say so.
            transferred_at=dossier.transferred_at,  # type: ignore[attr-defined]
            result_received_at=dossier.processing_ended_at
            if dossier.status in (Status.COMPLETED, Status.RETURNED)
            else None,
            returned_at=dossier.returned_at,
            delivery=fmt.CHANNELS.get(dossier.result_delivery, ""),
            note=_note(dossier, now),
        )


def pdf_context(
    *, point: ReceptionPoint, start: date, end: date, dossiers: QuerySet[Dossier]
) -> dict[str, object]:
    totals = Totals()
    rows = list(register_rows(dossiers, totals))
    return {
        "issuer": fmt.point_issuer(point),
        "number": "",
        "place_date": fmt.place_and_date(timezone.localdate()),
        "point": point,
        "period": period_label(start, end),
        "rows": rows,
        "totals": totals,
    }


def workbook(
    *, point: ReceptionPoint, start: date, end: date, rows: Iterable[RegisterRow], totals: Totals
) -> bytes:
    """The register as XLSX: a title, the column headings, the rows, then the totals."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("So theo doi ho so")

    def text(value: str, *, strong: bool = False) -> Cell:
        # An applicant's "=…", "+…" or "@…" stays the exact text (portal.spreadsheets).
        return xlsx_text(sheet, value, bold=strong)

    for letter, width in zip("ABCDEFGHIJKLMNO", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append([text("SỔ THEO DÕI HỒ SƠ", strong=True)])
    sheet.append([text(point.name)])
    sheet.append([text(period_label(start, end))])
    heading_cells = []
    for heading in HEADINGS:
        cell = text(heading, strong=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
        heading_cells.append(cell)
    sheet.append(heading_cells)
    for row in rows:
        cells = row.cells()
        for index, value in enumerate(cells):
            if isinstance(value, str):
                cells[index] = text(value) if value else None
            elif index in DATE_COLUMNS and isinstance(value, datetime):
                cell = WriteOnlyCell(sheet, value=fmt.local(value).replace(tzinfo=None))
                cell.number_format = "DD/MM/YYYY HH:MM"
                cells[index] = cell
        sheet.append(cells)
    sheet.append([])
    for label, number in totals.pairs():
        sheet.append([text(label, strong=True), None, number])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
