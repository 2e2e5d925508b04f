import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from procedures.models import (
    Component,
    CopyType,
    Fee,
    InterconnectionGroup,
    InterconnectionMember,
    OnlineLevel,
    Procedure,
    ReceptionPoint,
    Step,
)
from procedures.templatetags.catalogue import time_limit, vnd
from tests.factories import AgencyFactory, ProcedureFactory, ReceptionPointFactory, SectorFactory

pytestmark = pytest.mark.django_db


def text_of(html: str) -> str:
    """The visible text, with tags and runs of white space removed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def birth() -> Procedure:
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        sector=SectorFactory(name="Hộ tịch"),
        time_limit=Decimal(0),
        time_limit_unit="same_day",
        online_level=OnlineLevel.FULL,
        deciding_authority="Ủy ban nhân dân cấp xã",
        result_name="Giấy khai sinh",
        result_electronic=True,
        legal_basis="Luật Hộ tịch số 60/2014/QH13",
    )
    Component.objects.create(
        procedure=procedure,
        position=1,
        name="Tờ khai đăng ký khai sinh",
        copy_type=CopyType.ORIGINAL,
        count=1,
    )
    Component.objects.create(
        procedure=procedure,
        position=2,
        name="Giấy chứng sinh",
        copy_type=CopyType.ORIGINAL,
        count=1,
        note="Nếu không có, nộp văn bản của người làm chứng",
    )
    Fee.objects.create(
        procedure=procedure,
        name="Lệ phí đăng ký khai sinh",
        amount=0,
        exemptions="Miễn lệ phí khi đăng ký đúng hạn",
    )
    Step.objects.create(
        procedure=procedure, position=1, name="Tiếp nhận hồ sơ", budget_hours=Decimal(1)
    )
    Step.objects.create(
        procedure=procedure, position=2, name="Thẩm định, trình ký", budget_hours=Decimal(5)
    )
    agency = AgencyFactory(code="H56.HT", name="Ủy ban nhân dân phường Hạc Thành")
    procedure.agencies.add(agency)
    point = ReceptionPointFactory(
        code="ttpvhcc-14797",
        name="Trung tâm Phục vụ hành chính công phường Hạc Thành",
        address="28 Đại lộ Lê Lợi",
        unit=agency.unit,
    )
    point.agencies.add(agency)
    return procedure


def test_the_list_finds_a_procedure_typed_without_diacritics(client: Client, birth) -> None:
    ProcedureFactory(name="Đăng ký kết hôn")

    response = client.get("/procedures/", {"q": "dang ky khai sinh"})

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="vi">' in html
    assert 'href="/procedures/1.001193/"' in html
    assert "Đăng ký kết hôn" not in html
    text = text_of(html)
    assert "1 thủ tục" in text
    assert "Thời hạn giải quyết Trong ngày làm việc Phí" in text
    assert "Phí, lệ phí Miễn phí" in text
    assert 'value="dang ky khai sinh"' in html


def test_the_list_says_so_when_nothing_matches(client: Client, birth) -> None:
    text = text_of(client.get("/procedures/", {"q": "giay phep lai xe"}).content.decode())

    assert "0 thủ tục" in text
    assert "Không có thủ tục nào phù hợp" in text


def test_a_bad_filter_value_is_named_and_the_list_still_shows(client: Client, birth) -> None:
    response = client.get("/procedures/", {"level": "district", "sector": "khong-co"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="field-error"') == 2
    assert 'href="/procedures/1.001193/"' in html


def test_the_list_is_paginated_keeping_the_filters(client: Client) -> None:
    sector = SectorFactory(name="Chứng thực")
    for number in range(45):
        ProcedureFactory(name=f"Chứng thực giấy tờ số {number:02d}", sector=sector)

    page = client.get("/procedures/", {"q": "chung thuc", "page": 3}).content.decode()

    assert "45 thủ tục" in text_of(page)
    assert page.count('class="procedure-item"') == 5
    assert "Chứng thực giấy tờ số 44" in page
    assert 'href="?q=chung+thuc&amp;page=2" rel="prev"' in page
    assert 'rel="next"' not in page


def query_count(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_or_60_procedures(client: Client) -> None:
    agency = AgencyFactory()
    for _ in range(5):
        ProcedureFactory().agencies.add(agency)
    few = query_count(client, "/procedures/")
    for _ in range(55):
        procedure = ProcedureFactory(sector=SectorFactory(name=f"Lĩnh vực {_}"))
        procedure.agencies.add(agency)
        Fee.objects.create(procedure=procedure, name="Lệ phí", amount=10000)

    many = query_count(client, "/procedures/")

    # facets (sectors, agencies, levels), count, page
    assert few == many == 5


def test_the_detail_page_tells_everything_needed_to_file(client: Client, birth) -> None:
    group = InterconnectionGroup.objects.create(
        code="BIRTH_GROUP",
        name="Liên thông khai sinh, thường trú, thẻ bảo hiểm y tế",
        time_limit=Decimal(3),
        time_limit_unit="working_days",
    )
    residence = ProcedureFactory(code="1.004222", name="Đăng ký thường trú")
    InterconnectionMember.objects.create(group=group, procedure=birth, position=1)
    InterconnectionMember.objects.create(group=group, procedure=residence, position=2)

    response = client.get("/procedures/1.001193/")

    assert response.status_code == 200
    text = text_of(response.content.decode())
    for expected in [
        "Đăng ký khai sinh",
        "Mã 1.001193",
        "Tờ khai đăng ký khai sinh Bản chính 1",
        "Giấy chứng sinh Nếu không có, nộp văn bản của người làm chứng Bản chính 1",
        "Tiếp nhận hồ sơ",
        "Thẩm định, trình ký",
        "Lệ phí đăng ký khai sinh: Miễn phí Miễn lệ phí khi đăng ký đúng hạn",
        "Ủy ban nhân dân cấp xã: Ủy ban nhân dân phường Hạc Thành",
        "Kết quả Giấy khai sinh Kết quả được cấp cả bản điện tử.",
        "Mã 1.001193 Hộ tịch Cấp xã",
        "Luật Hộ tịch số 60/2014/QH13",
        "Trung tâm Phục vụ hành chính công phường Hạc Thành 28 Đại lộ Lê Lợi",
        "Đăng ký thường trú",
        "Dịch vụ công trực tuyến toàn trình",
    ]:
        assert expected in text, expected


def test_a_procedure_offered_by_many_communes_lists_its_points_folded(client: Client, birth):
    for number in range(5):
        agency = AgencyFactory(name=f"UBND xã {number}")
        birth.agencies.add(agency)
        ReceptionPointFactory(name=f"Trung tâm xã {number}").agencies.add(agency)
    ReceptionPointFactory(name="Trung tâm đã đóng", valid_to="2025-06-30").agencies.add(agency)

    html = client.get("/procedures/1.001193/").content.decode()

    assert "<details>" in html
    assert html.count("<li><strong>Trung tâm") == 6
    assert "Trung tâm đã đóng" not in html
    assert "UBND xã 0" not in html  # six agencies: named by the authority, not listed


@pytest.mark.parametrize("status", [Procedure.Status.UNPUBLISHED, Procedure.Status.REPEALED])
def test_unpublished_and_unknown_procedures_are_not_found(client: Client, status) -> None:
    ProcedureFactory(code="1.000001", status=status)

    assert client.get("/procedures/1.000001/").status_code == 404
    assert client.get("/procedures/9.999999/").status_code == 404


def test_the_pages_exist_in_english(client: Client, birth) -> None:
    client.cookies["django_language"] = "en"

    text = text_of(client.get("/procedures/1.001193/").content.decode())

    assert "Papers to provide" in text
    assert "Original" in text
    assert ReceptionPoint.objects.count() == 1


@pytest.mark.parametrize(
    ("language", "amount", "text"),
    [
        ("vi", 0, "Miễn phí"),
        ("vi", 5000, "5.000 đồng"),
        ("vi", 1000000, "1.000.000 đồng"),
        ("en", 1000000, "1,000,000 VND"),
    ],
)
def test_amounts_read_as_in_the_language(language: str, amount: int, text: str) -> None:
    with translation.override(language):
        assert vnd(amount) == text


@pytest.mark.parametrize(
    ("limit", "unit", "vi", "en"),
    [
        ("0", "same_day", "Trong ngày làm việc", "Within the working day"),
        ("1", "working_days", "1 ngày làm việc", "1 working day"),
        ("15", "working_days", "15 ngày làm việc", "15 working days"),
        ("1.50", "working_hours", "1,5 giờ làm việc", "1.5 working hours"),
        ("30", "calendar_days", "30 ngày", "30 days"),
    ],
)
def test_time_limits_read_as_in_the_language(limit, unit, vi: str, en: str) -> None:
    procedure = Procedure(time_limit=Decimal(limit), time_limit_unit=unit)
    with translation.override("vi"):
        assert time_limit(procedure) == vi
    with translation.override("en"):
        assert time_limit(procedure) == en
