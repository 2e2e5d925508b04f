from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from procedures.models import Component, CopyType, Fee, OnlineLevel, Procedure, Step
from tests.factories import AgencyFactory, ProcedureFactory, ReceptionPointFactory, SectorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api() -> APIClient:
    return APIClient()


@pytest.fixture
def catalogue() -> dict[str, Procedure]:
    civil = SectorFactory(name="Hộ tịch")
    procedures = {
        "birth": ProcedureFactory(
            code="1.001193",
            name="Đăng ký khai sinh",
            sector=civil,
            time_limit=Decimal(0),
            time_limit_unit="same_day",
            online_level=OnlineLevel.FULL,
            legacy_level=4,
        ),
        "marriage": ProcedureFactory(
            code="1.000894", name="Đăng ký kết hôn", sector=civil, postal_intake=False
        ),
        "record": ProcedureFactory(
            code="2.000488",
            name="Cấp Phiếu lý lịch tư pháp",
            sector=SectorFactory(name="Lý lịch tư pháp"),
            level="province",
            time_limit=Decimal(10),
            online_level=OnlineLevel.PARTIAL,
        ),
    }
    Fee.objects.create(procedure=procedures["record"], name="Phí cấp phiếu", amount=200000)
    return procedures


def test_the_list_is_public_and_shaped(api: APIClient, catalogue) -> None:
    response = api.get("/api/v1/procedures/", {"q": "dang ky khai sinh"})

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "code": "1.001193",
                "name": "Đăng ký khai sinh",
                "sector": {"code": "ho-tich", "name": "Hộ tịch"},
                "level": "commune",
                "time_limit": "0.00",
                "time_limit_unit": "same_day",
                "online_level": "full",
                "legacy_level": 4,
                "fee_total": 0,
                "postal_intake": True,
                "postal_return": True,
                "url": "http://testserver/procedures/1.001193/",
            }
        ],
    }


@pytest.mark.parametrize(
    ("params", "codes"),
    [
        ({}, ["2.000488", "1.000894", "1.001193"]),
        ({"q": "DANG KY"}, ["1.000894", "1.001193"]),
        ({"q": "Đăng ký kết"}, ["1.000894"]),
        ({"q": "ly lich"}, ["2.000488"]),
        ({"sector": "ho-tich"}, ["1.000894", "1.001193"]),
        ({"level": "province"}, ["2.000488"]),
        ({"online_level": "partial"}, ["2.000488"]),
        ({"online_level": "none"}, ["1.000894"]),
        ({"q": "dang ky", "online_level": "full"}, ["1.001193"]),
        ({"q": "khong co thu tuc nay"}, []),
    ],
)
def test_filters_and_search(api: APIClient, catalogue, params: dict, codes: list[str]) -> None:
    response = api.get("/api/v1/procedures/", params)

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == codes


def test_the_agency_filter(api: APIClient, catalogue) -> None:
    catalogue["record"].agencies.add(AgencyFactory(code="000.00.16.H56"))

    response = api.get("/api/v1/procedures/", {"agency": "000.00.16.H56"})

    assert [row["code"] for row in response.json()["results"]] == ["2.000488"]
    assert response.json()["results"][0]["fee_total"] == 200000


def test_a_bad_filter_is_refused_naming_the_field(api: APIClient, catalogue) -> None:
    response = api.get("/api/v1/procedures/", {"level": "ward", "sector": "ho-tich"})

    assert response.status_code == 400
    body = response.json()
    assert (body["code"], body["field"], [problem["field"] for problem in body["errors"]]) == (
        "invalid_choice",
        "level",
        ["level"],
    )
    assert "ward" in body["message"]


def test_pagination(api: APIClient) -> None:
    sector = SectorFactory(name="Chứng thực")
    for number in range(7):
        ProcedureFactory(code=f"2.00010{number}", name=f"Chứng thực {number}", sector=sector)

    first = api.get("/api/v1/procedures/", {"page_size": 3}).json()
    last = api.get("/api/v1/procedures/", {"page_size": 3, "page": 3}).json()

    assert first["count"] == 7
    assert [row["code"] for row in first["results"]] == ["2.000100", "2.000101", "2.000102"]
    assert first["next"] == "http://testserver/api/v1/procedures/?page=2&page_size=3"
    assert [row["code"] for row in last["results"]] == ["2.000106"]
    assert last["next"] is None
    assert api.get("/api/v1/procedures/", {"page": 9}).status_code == 404


def count_queries(api: APIClient, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.get(url).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_queries_for_3_or_60_procedures(api: APIClient, catalogue):
    few = count_queries(api, "/api/v1/procedures/?q=a")
    for number in range(57):
        procedure = ProcedureFactory(
            name=f"Thủ tục {number}", sector=SectorFactory(name=f"L{number}")
        )
        Fee.objects.create(procedure=procedure, name="Lệ phí", amount=number)

    many = count_queries(api, "/api/v1/procedures/?q=a")

    # facets for validating the filters (sectors, agencies, levels), count, page
    assert few == many == 5


def test_the_detail(api: APIClient, catalogue) -> None:
    record = catalogue["record"]
    Component.objects.create(
        procedure=record, name="Tờ khai yêu cầu cấp Phiếu", copy_type=CopyType.ORIGINAL
    )
    Component.objects.create(
        procedure=record, name="Căn cước", copy_type=CopyType.CERTIFIED_COPY, position=2
    )
    Step.objects.create(procedure=record, name="Tra cứu, xác minh", budget_hours=Decimal(60))
    agency = AgencyFactory(code="000.00.16.H56", name="Sở Tư pháp")
    record.agencies.add(agency)
    ReceptionPointFactory(code="ttpvhcc-tinh", name="Trung tâm tỉnh").agencies.add(agency)

    response = api.get("/api/v1/procedures/2.000488/")

    assert response.status_code == 200
    body = response.json()
    assert body["fee_total"] == 200000
    assert [(c["name"], c["copy_type"], c["count"]) for c in body["components"]] == [
        ("Tờ khai yêu cầu cấp Phiếu", "original", 1),
        ("Căn cước", "certified_copy", 1),
    ]
    assert body["fees"] == [
        {"kind": "charge", "name": "Phí cấp phiếu", "amount": 200000, "exemptions": ""}
    ]
    assert body["steps"] == [
        {"name": "Tra cứu, xác minh", "responsible": "", "budget_hours": "60.00"}
    ]
    assert body["reception_points"] == [
        {"code": "ttpvhcc-tinh", "name": "Trung tâm tỉnh", "address": "", "phone": ""}
    ]
    assert body["version"] == 1


def test_unknown_and_unpublished_procedures_are_404(api: APIClient, catalogue) -> None:
    catalogue["marriage"].status = Procedure.Status.UNPUBLISHED
    catalogue["marriage"].save()

    assert api.get("/api/v1/procedures/1.000894/").status_code == 404
    assert api.get("/api/v1/procedures/9.999999/").status_code == 404
    not_found = {"code": "not_found", "message": "Không tìm thấy.", "field": None}
    assert api.get("/api/v1/procedures/1.000894/").json() == {**not_found, "errors": [not_found]}


def test_anonymous_clients_are_throttled(api: APIClient, catalogue, monkeypatch) -> None:
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "3/minute"})

    statuses = [api.get("/api/v1/procedures/").status_code for _ in range(4)]

    assert statuses == [200, 200, 200, 429]


def test_the_schema_documents_the_catalogue(api: APIClient) -> None:
    schema = api.get("/api/schema/", {"format": "json"}).json()

    operations = schema["paths"]["/api/v1/procedures/"]["get"]
    assert {p["name"] for p in operations["parameters"]} >= {
        "q",
        "sector",
        "level",
        "online_level",
        "agency",
        "page",
        "page_size",
    }
    assert "/api/v1/procedures/{code}/" in schema["paths"]
    assert api.get("/api/docs/").status_code == 200
