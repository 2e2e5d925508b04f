"""No export turns a name someone typed into a formula (CSV/formula injection): every
dashboard table, as CSV and as XLSX, with hostile text in each of its text columns."""

import csv
import io
from datetime import datetime
from zipfile import ZipFile

import pytest
import time_machine
from django.test import Client
from openpyxl import load_workbook

from dossiers.models import Dossier, Evaluation
from portal.roles import Role
from portal.spreadsheets import FORMULA_STARTS, CsvWriter, csv_value
from procedures.calendar import LOCAL_TIME
from procedures.models import Agency, Assignment, Procedure
from reporting import snapshots
from reporting.exports import TABLES
from tests.factories import UserFactory

HOSTILE = [
    '=HYPERLINK("http://evil.example/","Bấm")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+84 912 345 678",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
]
PERIOD = {"year": "2026", "month": "3"}


def test_a_csv_cell_never_starts_a_formula() -> None:
    lines: list[str] = []

    class Target:
        def write(self, text: str) -> None:
            lines.append(text)

    CsvWriter(Target()).writerow([*HOSTILE, "Phường Hạc Thành", 7, 42.5, -3, None])

    cells = next(csv.reader(io.StringIO("".join(lines))))
    assert cells == [*("'" + text for text in HOSTILE), "Phường Hạc Thành", "7", "42.5", "-3", ""]
    assert csv_value(-3) == -3  # numbers are numbers, negative ones too


@pytest.fixture
def hostile(office, march):
    """The province and the commune, the agency, the procedure, an overdue dossier's code
    and an officer, each named with text that a spreadsheet would run."""
    province = office.unit.parent
    province.name, office.unit.name = HOSTILE[0], HOSTILE[1]
    province.save(update_fields=["name"])
    office.unit.save(update_fields=["name"])
    Agency.objects.filter(pk=office.agency.pk).update(code=HOSTILE[2])
    Procedure.objects.filter(pk=office.procedure.pk).update(code=HOSTILE[3])
    Dossier.objects.filter(pk=march["H"].pk).update(code=HOSTILE[0])
    office.processing.username = "@evil"
    office.processing.save(update_fields=["username"])
    evaluations = Evaluation.objects.filter(dossier__in=[d.pk for d in march.values()])
    assert evaluations.update(processing_officer=office.processing) > 0
    manager = UserFactory(username="quanly.tinh", is_staff=True)
    Assignment.objects.create(user=manager, role=Role.MANAGER, unit=province)
    snapshots.refresh_full()
    return manager


def _csv_cells(client: Client, url: str) -> list[str]:
    reply = client.get(url, PERIOD)
    assert reply.status_code == 200
    body = b"".join(reply.streaming_content).decode("utf-8-sig")
    return [cell for row in csv.reader(io.StringIO(body)) for cell in row]


def _xlsx_cells(client: Client, url: str) -> list[object]:
    reply = client.get(url, PERIOD)
    assert reply.status_code == 200
    with ZipFile(io.BytesIO(reply.content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        xml = "".join(archive.read(name).decode() for name in sheets)
    assert "<f>" not in xml
    assert "<f " not in xml
    book = load_workbook(io.BytesIO(reply.content))
    cells = []
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"
                if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
                    assert (cell.data_type, cell.quotePrefix) == ("s", True), cell.value
                cells.append(cell.value)
    return cells


@time_machine.travel(datetime(2026, 3, 31, 18, 0, tzinfo=LOCAL_TIME), tick=False)
@pytest.mark.parametrize("table", TABLES)
def test_every_dashboard_export_keeps_hostile_names_as_text(
    client: Client, office, hostile, table
) -> None:
    client.force_login(hostile)
    # The province's tables name it and its communes; the commune's, its overdue dossiers.
    unit = office.unit.parent if table in ("summary", "units") else office.unit
    base = f"/reporting/units/{unit.pk}/{table}"

    cells = _csv_cells(client, f"{base}.csv")
    xlsx = _xlsx_cells(client, f"{base}.xlsx")

    assert not [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    planted = {
        "summary": [HOSTILE[0]],
        "units": [HOSTILE[1]],
        "overdue": [HOSTILE[0], HOSTILE[2], HOSTILE[3]],
        "officers": ["@evil"],
        "months": [],
    }[table]
    for text in planted:
        assert "'" + text in cells
        assert text in xlsx
