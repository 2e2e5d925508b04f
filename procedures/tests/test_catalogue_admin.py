from decimal import Decimal

import pytest
from django.test import Client

from portal.models import AuditEvent
from procedures.models import Component, Procedure
from procedures.selectors import procedure_terms
from tests.factories import ProcedureFactory, SectorFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client: Client) -> Client:
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def inline_management(prefix: str, total: int = 0, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def procedure_form(procedure: Procedure, **changes: str) -> dict[str, str]:
    data = {
        "code": procedure.code,
        "name": procedure.name,
        "sector": str(procedure.sector_id),
        "level": procedure.level,
        "status": procedure.status,
        "time_limit": str(procedure.time_limit),
        "time_limit_unit": procedure.time_limit_unit,
        "online_level": procedure.online_level,
        "postal_intake": "on",
        "postal_return": "on",
        "result_paper": "on",
        **inline_management("components"),
        **inline_management("fees"),
        **inline_management("steps"),
    }
    data.update(changes)
    return data


def test_an_edit_with_a_new_paper_bumps_the_version_and_reindexes(admin: Client) -> None:
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    terms_at_reception = procedure_terms(procedure)
    url = f"/admin/procedures/procedure/{procedure.pk}/change/"

    response = admin.post(
        url,
        procedure_form(
            procedure,
            name="Đăng ký khai sinh có yếu tố nước ngoài",
            time_limit="5",
            time_limit_unit="working_days",
            **inline_management("components", total=1),
            **{
                "components-0-position": "1",
                "components-0-name": "Giấy chứng sinh",
                "components-0-copy_type": "original",
                "components-0-count": "1",
                "components-0-required": "on",
            },
        ),
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    procedure.refresh_from_db()
    assert (procedure.version, procedure.time_limit) == (2, Decimal(5))
    assert procedure.search_text == "1.001193 dang ky khai sinh co yeu to nuoc ngoai ho tich"
    assert list(procedure.components.values_list("name", flat=True)) == ["Giấy chứng sinh"]
    event = AuditEvent.objects.get(event="procedures.procedure_edited")
    assert (event.target_id, event.data) == (str(procedure.pk), {"version": 2})
    # What a dossier copied at reception does not move with the catalogue.
    assert terms_at_reception["name"] == "Đăng ký khai sinh"
    assert terms_at_reception["time_limit"] == "3.00"
    assert terms_at_reception["components"] == []
    assert terms_at_reception["version"] == 1


def test_a_new_procedure_starts_at_version_1(admin: Client) -> None:
    sector = SectorFactory(name="Chứng thực")
    data = procedure_form(
        Procedure(
            code="2.000815",
            name="Chứng thực bản sao từ bản chính",
            sector=sector,
            level="commune",
            status="unpublished",
            time_limit=Decimal(0),
            time_limit_unit="same_day",
            online_level="none",
        )
    )

    response = admin.post("/admin/procedures/procedure/add/", data)

    assert response.status_code == 302
    procedure = Procedure.objects.get(code="2.000815")
    assert (procedure.version, procedure.sort_name) == (1, "chung thuc ban sao tu ban chinh")
    assert AuditEvent.objects.filter(event="procedures.procedure_created").count() == 1


def test_a_bad_edit_is_refused_and_changes_nothing(admin: Client) -> None:
    procedure = ProcedureFactory(code="1.001193", name="Đăng ký khai sinh")
    url = f"/admin/procedures/procedure/{procedure.pk}/change/"

    response = admin.post(
        url,
        procedure_form(
            procedure,
            code="1001193",
            time_limit="-1",
            **inline_management("components", total=1),
            **{"components-0-name": "Giấy chứng sinh", "components-0-count": "0"},
        ),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"code", "time_limit"}
    procedure.refresh_from_db()
    assert (procedure.code, procedure.version, procedure.time_limit) == ("1.001193", 1, 3)
    assert Component.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_publish_and_unpublish_actions_are_audited(admin: Client) -> None:
    draft = ProcedureFactory(status=Procedure.Status.UNPUBLISHED)
    live = ProcedureFactory(status=Procedure.Status.PUBLISHED)

    admin.post(
        "/admin/procedures/procedure/",
        {"action": "publish", "_selected_action": [draft.pk, live.pk]},
    )

    draft.refresh_from_db()
    assert draft.status == "published"
    events = AuditEvent.objects.filter(event="procedures.procedure_status_changed")
    assert [(e.target_id, e.data) for e in events] == [
        (str(draft.pk), {"from": "unpublished", "to": "published"})
    ]

    admin.post(
        "/admin/procedures/procedure/",
        {"action": "unpublish", "_selected_action": [draft.pk]},
    )

    assert Procedure.objects.get(pk=draft.pk).status == "unpublished"
    assert AuditEvent.objects.filter(event="procedures.procedure_status_changed").count() == 2


def test_renaming_a_sector_reindexes_its_procedures(admin: Client) -> None:
    procedure = ProcedureFactory(name="Đăng ký khai sinh", sector=SectorFactory(name="Hộ tịch"))

    response = admin.post(
        f"/admin/procedures/sector/{procedure.sector_id}/change/",
        {"name": "Hộ tịch, quốc tịch", "code": "ho-tich"},
    )

    assert response.status_code == 302
    procedure.refresh_from_db()
    assert procedure.search_text.endswith("ho tich quoc tich")
