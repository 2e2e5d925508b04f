"""Every dashboard table as CSV or XLSX, and a PDF report of a unit and period. Rows are
written as they are produced (streamed CSV, write-only workbook): memory stays bounded."""

import io
from collections.abc import Iterator, Mapping

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils.text import slugify
from openpyxl import Workbook

from portal.models import User
from portal.spreadsheets import csv_lines, xlsx_row
from reporting.export_headers import header as header_row
from reporting.indicators import COUNT_NAMES, RATES, Scope
from reporting.officers import officer_satisfaction
from reporting.selectors import Dashboard, overdue_dossiers

TABLES = ("units", "months", "summary", "officers", "overdue")
FORMATS = ("csv", "xlsx")
COLUMNS = [*COUNT_NAMES, *RATES]


def rows(data: Dashboard, table: str, user: User) -> Iterator[list[object]]:
    """The header, then one row per unit, month, officer or overdue dossier, or the unit."""
    scope = Scope.of_unit(data.unit, sector_id=data.sector_id)
    if table == "officers":
        yield ["officer", "role", "evaluations", "satisfied", "dissatisfied", "satisfaction_rate"]
        for row in officer_satisfaction(scope, data.period):
            yield [
                row.officer.username,
                row.role,
                row.evaluations,
                row.satisfied,
                row.dissatisfied,
                row.satisfaction_rate,
            ]
        return
    if table == "overdue":
        yield ["code", "procedure_code", "agency_code", "received_at", "due_at", "status"]
        for dossier in overdue_dossiers(user, data.unit, sector_id=data.sector_id).iterator(
            chunk_size=2000
        ):
            # Overdue: received, and past a due time.
            assert dossier.received_at is not None
            assert dossier.due_at is not None
            yield [
                dossier.code,
                dossier.procedure.code,
                dossier.agency.code,
                dossier.received_at.isoformat(),
                dossier.due_at.isoformat(),
                dossier.status,
            ]
        return
    if table == "units":
        yield ["unit_code", "unit_name", *COLUMNS]
        for child in data.children:
            values = child.indicators.counts | child.indicators.rates
            yield [child.unit.code, child.unit.name, *(values[c] for c in COLUMNS)]
    elif table == "months":
        yield ["month", *COLUMNS]
        for month in data.months:
            values = month.indicators.counts | month.indicators.rates
            yield [f"{month.month:%Y-%m}", *(values[c] for c in COLUMNS)]
    else:
        yield ["unit_code", "unit_name", "from", "to", *COLUMNS]
        values = data.indicators.counts | data.indicators.rates
        yield [
            data.unit.code,
            data.unit.name,
            data.period.start.isoformat(),
            data.period.end.isoformat(),
            *(values[c] for c in COLUMNS),
        ]


def _filename(data: Dashboard, table: str, extension: str) -> str:
    return (
        f"{slugify(data.unit.code)}-{table}-{data.period.start:%Y%m%d}-"
        f"{data.period.end:%Y%m%d}.{extension}"
    )


def _labelled(rows: Iterator[list[object]], header: str | None) -> Iterator[list[object]]:
    for index, row in enumerate(rows):
        yield header_row(row, header) if index == 0 else row


def response(
    data: Dashboard, table: str, fmt: str, user: User, *, header: str | None = None
) -> HttpResponseBase:
    """`header="codes"`: the column codes as the header, for scripts; else their labels."""
    disposition = f'attachment; filename="{_filename(data, table, fmt)}"'
    if fmt == "csv":
        lines = csv_lines(_labelled(rows(data, table, user), header))
        reply: HttpResponseBase = StreamingHttpResponse(
            lines, content_type="text/csv; charset=utf-8"
        )
    else:
        book = Workbook(write_only=True)
        sheet = book.create_sheet(table)
        for row in _labelled(rows(data, table, user), header):
            sheet.append(xlsx_row(sheet, row))
        buffer = io.BytesIO()
        book.save(buffer)
        reply = HttpResponse(
            buffer.getvalue(),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    reply["Content-Disposition"] = disposition
    return reply


def pdf(data: Dashboard, context: Mapping[str, object]) -> HttpResponse:
    from weasyprint import HTML

    html = render_to_string(
        "reporting/report_pdf.html",
        {"data": data, "province_name": settings.PORTAL_PROVINCE_NAME, **context},
    )
    document = HTML(string=html).write_pdf()
    reply = HttpResponse(document, content_type="application/pdf")
    reply["Content-Disposition"] = f'inline; filename="{_filename(data, "report", "pdf")}"'
    return reply
