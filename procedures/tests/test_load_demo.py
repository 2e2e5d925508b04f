import io
from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command

from portal.models import User
from portal.roles import Role
from procedures.models import (
    AdministrativeUnit,
    Agency,
    Assignment,
    InterconnectionGroup,
    InterconnectionMember,
    Procedure,
    ReceptionPoint,
)

pytestmark = pytest.mark.django_db
Level = AdministrativeUnit.Level


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            AdministrativeUnit,
            Agency,
            ReceptionPoint,
            User,
            Assignment,
            Procedure,
            InterconnectionGroup,
        )
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


def test_demo_catalogue_spans_the_levels_and_the_interconnection_groups() -> None:
    call_command("load_demo", stdout=io.StringIO())

    published = Procedure.objects.public(date(2026, 11, 25))
    assert Procedure.objects.count() == 38
    assert dict(Counter(published.values_list("level", flat=True))) == {
        "commune": 24,
        "province": 9,
    }
    repealed = Procedure.objects.filter(status=Procedure.Status.REPEALED)
    assert set(repealed.values_list("level", "valid_to")) == {("district", date(2025, 6, 30))}
    assert repealed.count() == 5
    birth = Procedure.objects.get(code="1.001193")
    assert birth.name == "Đăng ký khai sinh"
    assert birth.components.count() >= 2
    assert birth.steps.exists()
    assert birth.agencies.count() == 166
    members = InterconnectionMember.objects.order_by("group__code", "position")
    assert list(members.values_list("group__code", "procedure__code")) == [
        ("BIRTH_GROUP", "1.001193"),
        ("BIRTH_GROUP", "1.004222"),
        ("BIRTH_GROUP", "2.001023"),
        ("DEATH_GROUP", "1.000656"),
        ("DEATH_GROUP", "1.003197"),
        ("DEATH_GROUP", "1.001731"),
    ]
    # Every procedure in force says what to bring and is offered somewhere.
    assert not published.filter(components__isnull=True).exists()
    assert not published.filter(agencies__isnull=True).exists()
    # Fee items add up to the catalogue CSV's totals.
    assert Procedure.objects.get(code="1.001612").total_fee == 100000
