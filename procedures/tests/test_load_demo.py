import io
from datetime import date

import pytest
from django.core.management import call_command

from portal.models import User
from portal.roles import Role
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint

pytestmark = pytest.mark.django_db
Level = AdministrativeUnit.Level


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (AdministrativeUnit, Agency, ReceptionPoint, User, Assignment)
    }


def test_demo_has_the_province_before_and_after_the_2025_reform() -> None:
    call_command("load_demo", stdout=io.StringIO())

    before = AdministrativeUnit.objects.valid_on(date(2025, 6, 30))
    after = AdministrativeUnit.objects.valid_on(date(2025, 7, 1))
    assert before.filter(level=Level.DISTRICT).count() == 26
    assert before.filter(level=Level.COMMUNE).count() == 547
    assert after.filter(level=Level.DISTRICT).count() == 0
    assert after.filter(level=Level.COMMUNE, parent__code="38").count() == 166
    # The ward of the provincial seat reuses the code of one of the wards merged into it.
    assert list(
        AdministrativeUnit.objects.filter(code="14797").values_list("name", "valid_to")
    ) == [("Phường Đông Hải", date(2025, 6, 30)), ("Phường Hạc Thành", None)]
    assert Agency.objects.get(code="000.00.16.H56").name == "Sở Tư pháp"
    assert ReceptionPoint.objects.get(code="ttpvhcc-tinh-thanh-hoa").agencies.count() == 12


def test_demo_accounts_have_their_roles_and_scopes() -> None:
    call_command("load_demo", stdout=io.StringIO())

    assignments = set(
        Assignment.objects.values_list(
            "user__username", "role", "unit__code", "agency__code", "reception_point__code"
        )
    )
    assert ("quanly.tinh", Role.MANAGER, "38", None, None) in assignments
    assert ("thuly.tuphap", Role.PROCESSING_OFFICER, None, "000.00.16.H56", None) in assignments
    assert User.objects.get(username="admin").is_superuser
    assert not User.objects.get(username="congdan").assignments.exists()


def test_loading_the_demo_twice_adds_nothing() -> None:
    call_command("load_demo", stdout=io.StringIO())
    first = counts()

    call_command("load_demo", stdout=io.StringIO())

    assert counts() == first
