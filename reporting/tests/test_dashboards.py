import csv
import io
import re
from datetime import datetime

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from dossiers.models import Dossier
from portal.models import AuditEvent
from portal.roles import Role
from procedures.calendar import LOCAL_TIME
from procedures.models import Assignment
from reporting import selectors, snapshots
from reporting.indicators import Scope, compute
from reporting.models import Target
from tests.factories import UserFactory

from .april import APRIL, WARD_RESOLVED_BY_RECEPTION
from .march import MARCH  # noqa: F401 - documents the period used below

PERIOD = {"year": "2026", "month": "3"}
CODES = {**PERIOD, "header": "codes"}  # the machine-readable header of the exports


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def manager(office):
    user = UserFactory(username="quanly.phuong", email="quanly@example.org", is_staff=True)
    Assignment.objects.create(user=user, role=Role.MANAGER, unit=office.unit)
    return user


@pytest.fixture
def province_manager(office):
    user = UserFactory(username="quanly.tinh", is_staff=True)
    Assignment.objects.create(user=user, role=Role.MANAGER, unit=office.unit.parent)
    return user


@pytest.fixture
def refreshed(march):
    snapshots.refresh_full()
    return march


def test_a_manager_sees_the_indicators_of_their_commune(
    client: Client, office, manager, refreshed, django_assert_max_num_queries
) -> None:
    client.force_login(manager)
    Target.objects.create(unit=office.unit, indicator="on_time_rate", value=90)
    Target.objects.create(unit=office.unit.parent, indicator="online_rate", value=45)

    with django_assert_max_num_queries(
        33
    ):  # whatever the number of dossiers (+1: the header's Indicators link)
        response = client.get(f"/reporting/units/{office.unit.pk}/", PERIOD)

    assert response.status_code == 200
    text = text_of(response.content.decode())
    assert "Chỉ số phục vụ: Phường Hạc Thành" in text
    assert "Đã giải quyết trước hạn hoặc đúng hạn 60,00 % 3 / 5" in text
    assert "dưới chỉ tiêu (chỉ tiêu 90,00 %)" in text  # red
    assert "gần đạt chỉ tiêu (chỉ tiêu 45,00 %)" in text  # amber: 42.86 within 5 points
    assert "Tiếp nhận trong kỳ 7" in text
    assert "Đang giải quyết, quá hạn 2" in text
    assert "Giải quyết – tiếp nhận trực tiếp 2" in text  # A F
    assert "Giải quyết – tiếp nhận qua bưu chính 1" in text  # D
    assert "Giải quyết – tiếp nhận trực tuyến toàn trình 1" in text  # C
    assert "Giải quyết – tiếp nhận trực tuyến một phần 1" in text  # E
    assert response.content.decode().count("<svg") == 4


def test_the_province_manager_drills_down_to_the_communes(
    client: Client, office, province_manager, refreshed
) -> None:
    client.force_login(province_manager)

    province = client.get("/reporting/", PERIOD).content.decode()

    assert f'href="/reporting/units/{office.unit.pk}/?year=2026&amp;month=3"' in province
    rows = re.findall(
        r"<th scope=\"row\"><a href=\"/reporting/units/\d+/[^\"]*\">([^<]+)</a>", province
    )
    assert rows == ["Phường Hạc Thành", "Phường Quảng Phú"]
    commune = client.get(f"/reporting/units/{office.unit.pk}/", PERIOD)
    assert commune.status_code == 200
    assert 'class="breadcrumb"' in commune.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [("anonymous", 302), ("citizen", 404), ("other_commune_manager", 404), ("manager", 200)],
)
def test_who_may_see_a_commune(client: Client, office, manager, refreshed, who, expected):
    if who == "citizen":
        client.force_login(office.applicant)
    elif who == "other_commune_manager":
        other = UserFactory(username="quanly.quangphu")
        Assignment.objects.create(user=other, role=Role.MANAGER, unit=office.other_agency.unit)
        client.force_login(other)
    elif who == "manager":
        client.force_login(manager)
    url = f"/reporting/units/{office.unit.pk}/"

    assert client.get(url, PERIOD).status_code == expected
    if who in ("citizen",):
        assert client.get("/reporting/").status_code == 403


def test_overdue_dossiers_drill_down_to_the_dossier(client: Client, office, manager, refreshed):
    client.force_login(manager)

    listing = client.get(f"/reporting/units/{office.unit.pk}/overdue/").content.decode()
    codes = re.findall(r'href="/reporting/dossiers/([0-9a-f-]+)/"', listing)
    assert len(codes) == 4  # H, I, J and L are open and past their due time today
    page = client.get(f"/reporting/dossiers/{codes[0]}/")
    assert page.status_code == 200
    assert "Nguyễn" not in page.content.decode()  # no applicant's personal data here


@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL_TIME), tick=False)
def test_exports_carry_the_dashboard_figures(client: Client, office, manager, march):
    snapshots.refresh_full()
    client.force_login(manager)
    base = f"/reporting/units/{office.unit.pk}"

    csv_reply = client.get(f"{base}/summary.csv", CODES)
    body = b"".join(csv_reply.streaming_content).decode("utf-8-sig")
    header, values = list(csv.reader(io.StringIO(body)))
    row = dict(zip(header, values, strict=True))
    assert (row["unit_code"], row["received"], row["online_rate"]) == ("14797", "7", "42.86")
    assert [
        row[f"resolved_{how}"] for how in ("counter", "postal", "online_full", "online_partial")
    ] == ["2", "1", "1", "1"]
    assert csv_reply["Content-Disposition"] == (
        'attachment; filename="14797-summary-20260301-20260331.csv"'
    )

    xlsx = client.get(f"{base}/months.xlsx", CODES)
    sheet = load_workbook(io.BytesIO(xlsx.content), read_only=True)["months"]
    table = list(sheet.values)
    assert table[0][:3] == ("month", "received", "received_counter")
    # Months up to the refresh (20 November): none from the future.
    assert [r[0] for r in table[1:]] == [f"2026-{m:02d}" for m in range(1, 12)]
    assert table[3][1] == 7  # March

    pdf = client.get(f"{base}/report.pdf", PERIOD)
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    assert client.get(f"{base}/secrets.csv", PERIOD).status_code == 404


def test_a_manager_sets_targets_and_the_dashboard_colours_against_them(
    client: Client, office, manager, refreshed
) -> None:
    client.force_login(manager)
    url = f"/reporting/units/{office.unit.pk}/targets/"

    refused = client.post(url, {"on_time_rate": "150", "online_rate": "40"})
    assert refused.status_code == 200
    assert Target.objects.count() == 0

    saved = client.post(url, {"on_time_rate": "55", "online_rate": "", "late_rate": "10"})
    assert saved.status_code == 302
    assert sorted(Target.objects.values_list("indicator", "value", "lower_is_better")) == [
        ("late_rate", 10, True),
        ("on_time_rate", 55, False),
    ]
    assert AuditEvent.objects.filter(event="reporting.targets_set").count() == 1
    text = text_of(client.get(f"/reporting/units/{office.unit.pk}/", PERIOD).content.decode())
    assert "đạt chỉ tiêu (chỉ tiêu 55,00 %)" in text  # 60 % on time


def test_another_communes_manager_cannot_set_targets_here(client: Client, office, refreshed):
    other = UserFactory(username="quanly.quangphu")
    Assignment.objects.create(user=other, role=Role.MANAGER, unit=office.other_agency.unit)
    client.force_login(other)

    response = client.post(f"/reporting/units/{office.unit.pk}/targets/", {"on_time_rate": "1"})

    assert response.status_code == 404
    assert Target.objects.count() == 0


def test_satisfaction_per_officer_and_its_export(client: Client, office, manager, refreshed):
    from dossiers.models import Evaluation

    Evaluation.objects.filter(dossier=refreshed["C"]).update(
        reception_officer=office.reception, processing_officer=office.processing
    )
    Evaluation.objects.filter(dossier=refreshed["D"]).update(reception_officer=office.reception)
    client.force_login(manager)
    base = f"/reporting/units/{office.unit.pk}"

    text = text_of(client.get(f"{base}/officers/", PERIOD).content.decode())
    reply = client.get(f"{base}/officers.csv", CODES)
    table = list(csv.reader(io.StringIO(b"".join(reply.streaming_content).decode("utf-8-sig"))))

    assert f"{office.reception.full_name} tiếp nhận 2 50,00 % 1" in text
    assert f"{office.processing.full_name} xử lý 1 100,00 % 0" in text
    assert table == [
        ["officer", "role", "evaluations", "satisfied", "dissatisfied", "satisfaction_rate"],
        ["tiepnhan", "reception", "2", "1", "1", "50.0"],
        ["thuly", "processing", "1", "1", "0", "100.0"],
    ]


def test_the_overdue_list_exports_without_personal_data(client: Client, office, manager, refreshed):
    client.force_login(manager)

    reply = client.get(f"/reporting/units/{office.unit.pk}/overdue.csv", CODES)
    table = list(csv.reader(io.StringIO(b"".join(reply.streaming_content).decode("utf-8-sig"))))

    assert table[0] == ["code", "procedure_code", "agency_code", "received_at", "due_at", "status"]
    assert len(table) == 5
    assert all(row[2] == "H56.HT" for row in table[1:])


@time_machine.travel(datetime(2026, 11, 20, 10, 0, tzinfo=LOCAL_TIME), tick=False)
def test_the_dashboard_and_its_export_split_the_resolved_by_how_received(
    client: Client, office, manager, april
) -> None:
    snapshots.refresh_full()
    client.force_login(manager)
    base, period = f"/reporting/units/{office.unit.pk}", {"year": "2026", "month": "4"}
    codes = {**period, "header": "codes"}

    data = selectors.dashboard(manager, office.unit, APRIL)
    text = text_of(client.get(f"{base}/", period).content.decode())
    reply = client.get(f"{base}/summary.csv", codes)
    header, values = list(
        csv.reader(io.StringIO(b"".join(reply.streaming_content).decode("utf-8-sig")))
    )

    assert data.indicators == compute(Scope.of_unit(office.unit), APRIL)
    assert {name: data.indicators.counts[name] for name in WARD_RESOLVED_BY_RECEPTION} == (
        WARD_RESOLVED_BY_RECEPTION
    )
    assert "Giải quyết – tiếp nhận trực tiếp 2" in text  # 1 6
    assert "Giải quyết – tiếp nhận qua bưu chính 1" in text  # 3
    assert "Giải quyết – tiếp nhận trực tuyến toàn trình 2" in text  # 2 7
    assert "Giải quyết – tiếp nhận trực tuyến một phần 1" in text  # 4
    resolved = header.index("resolved_late") + 1
    assert dict(
        zip(header[resolved : resolved + 4], values[resolved : resolved + 4], strict=True)
    ) == {
        "resolved_counter": "2",
        "resolved_postal": "1",
        "resolved_online_full": "2",
        "resolved_online_partial": "1",
    }
    book = load_workbook(io.BytesIO(client.get(f"{base}/summary.xlsx", codes).content))
    sheet_header, sheet_values = list(book["summary"].values)
    assert sheet_header == tuple(header)
    assert sheet_values[resolved : resolved + 4] == (2, 1, 2, 1)


def test_the_figures_are_read_once_between_two_refreshes(
    client: Client, office, manager, refreshed, django_capture_on_commit_callbacks
) -> None:
    client.force_login(manager)
    url = f"/reporting/units/{office.unit.pk}/"
    first = text_of(client.get(url, PERIOD).content.decode())
    assert "Tiếp nhận trong kỳ 7" in first

    with CaptureQueriesContext(connection) as again:
        second = text_of(client.get(url, PERIOD).content.decode())

    assert second == first
    read = " ".join(query["sql"] for query in again.captured_queries)
    assert "reporting_monthlyflow" not in read
    assert "reporting_target" not in read
    # Kept per language and per period asked for.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Received in the period 7" in text_of(client.get(url, PERIOD).content.decode())
    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    april = text_of(client.get(url, {"year": "2026", "month": "4"}).content.decode())
    assert "Tiếp nhận trong kỳ 7" not in april

    # A target set is shown at once (its save forgets the kept figures)…
    with django_capture_on_commit_callbacks(execute=True):
        Target.objects.create(unit=office.unit, indicator="on_time_rate", value=55)
    assert "đạt chỉ tiêu (chỉ tiêu 55,00 %)" in text_of(client.get(url, PERIOD).content.decode())

    # …and a refresh gives the figures of the new snapshot.
    moved = Dossier.objects.filter(unit=office.unit, received_at__month=3).first()
    Dossier.objects.filter(pk=moved.pk).update(received_at=moved.received_at.replace(year=2025))
    with django_capture_on_commit_callbacks(execute=True):
        snapshots.refresh_full()
    assert "Tiếp nhận trong kỳ 6" in text_of(client.get(url, PERIOD).content.decode())


def test_the_dashboard_is_served_while_the_cache_is_down(
    client: Client, office, manager, refreshed, settings
) -> None:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        }
    }
    client.force_login(manager)

    response = client.get(f"/reporting/units/{office.unit.pk}/", PERIOD)

    assert response.status_code == 200
    assert "Tiếp nhận trong kỳ 7" in text_of(response.content.decode())
