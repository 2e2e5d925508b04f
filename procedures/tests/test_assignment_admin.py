"""Issue #15: assigning an officer offers the agencies in force, in Vietnamese labels."""

from datetime import date

import pytest
from django.conf import settings

from procedures.models import AdministrativeUnit, Agency

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies():
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    district = AdministrativeUnit.objects.create(
        code="380",
        name="Huyện Đông Sơn",
        level="district",
        parent=province,
        valid_to=date(2025, 6, 30),
    )
    closed = Agency.objects.create(
        code="000.00.30.H56",
        name="Ủy ban nhân dân Huyện Đông Sơn",
        unit=district,
        valid_to=date(2025, 6, 30),
    )
    open_ = Agency.objects.create(
        code="H56.HT", name="Ủy ban nhân dân Phường Hạc Thành", unit=province
    )
    return closed, open_


def autocomplete(client, model_name: str, field_name: str) -> list[str]:
    response = client.get(
        "/admin/autocomplete/",
        {
            "app_label": "procedures",
            "model_name": model_name,
            "field_name": field_name,
            "term": "Ủy ban",
        },
    )
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_assigning_an_officer_offers_only_agencies_in_force(admin_client, agencies) -> None:
    texts = autocomplete(admin_client, "assignment", "agency")

    assert texts == ["Ủy ban nhân dân Phường Hạc Thành"]


def test_elsewhere_an_abolished_agency_comes_last_and_says_so(admin_client, agencies) -> None:
    texts = autocomplete(admin_client, "agency", "parent")

    assert texts == [
        "Ủy ban nhân dân Phường Hạc Thành",
        "Ủy ban nhân dân Huyện Đông Sơn (đến 30/06/2025)",
    ]


def test_the_assignment_form_labels_its_scopes_in_vietnamese(admin_client, agencies) -> None:
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"

    html = admin_client.get("/admin/procedures/assignment/add/").content.decode()

    for label in ("Đơn vị hành chính", "Cơ quan", "Điểm tiếp nhận"):
        assert f">{label}:</label>" in html
    assert ">Agency:</label>" not in html
