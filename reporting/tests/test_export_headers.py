"""Issue #15: the exports' header row is in Vietnamese under `vi`; `?header=codes` keeps
the stable column codes for scripts."""

import csv
import io

from django.conf import settings
from django.test import Client
from openpyxl import load_workbook

from portal.roles import Role
from procedures.models import Assignment
from reporting import snapshots
from reporting.export_headers import LABELS
from reporting.indicators import COUNT_NAMES, RATES
from tests.factories import UserFactory

PERIOD = {"year": "2026", "month": "3"}


def manager_client(office) -> Client:
    user = UserFactory(username="quanly.phuong", is_staff=True)
    Assignment.objects.create(user=user, role=Role.MANAGER, unit=office.unit)
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    client.force_login(user)
    return client


def csv_table(reply) -> list[list[str]]:
    body = b"".join(reply.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_headers_are_in_vietnamese_and_the_codes_stay_available(march, office) -> None:
    snapshots.refresh_full()
    client = manager_client(office)
    base = f"/reporting/units/{office.unit.pk}"

    labelled = csv_table(client.get(f"{base}/summary.csv", PERIOD))
    coded = csv_table(client.get(f"{base}/summary.csv", {**PERIOD, "header": "codes"}))
    months = load_workbook(
        io.BytesIO(client.get(f"{base}/months.xlsx", PERIOD).content), read_only=True
    )["months"]

    assert labelled[0][:5] == ["Mã đơn vị", "Đơn vị", "Từ ngày", "Đến ngày", "Đã tiếp nhận"]
    assert coded[0][:5] == ["unit_code", "unit_name", "from", "to", "received"]
    assert labelled[1] == coded[1]  # the same figures under either header
    assert next(months.values)[:2] == ("Tháng", "Đã tiếp nhận")


def test_every_exported_column_has_a_label() -> None:
    assert [name for name in [*COUNT_NAMES, *RATES] if name not in LABELS] == []
