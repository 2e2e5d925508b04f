from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dossiers import services
from dossiers.errors import InterconnectedParentError
from dossiers.models import Dossier
from dossiers.services import Applicant
from portal.models import AuditEvent
from procedures.models import InterconnectionGroup, InterconnectionMember
from tests.factories import ProcedureFactory, SectorFactory

from .conftest import Office
from .test_clock import at


@pytest.fixture
def birth_group(office: Office) -> InterconnectionGroup:
    group = InterconnectionGroup.objects.create(
        code="BIRTH_GROUP",
        name="Liên thông khai sinh, thường trú, thẻ bảo hiểm y tế",
        time_limit=Decimal(3),
        time_limit_unit="working_days",
    )
    rows = [
        ("1.001193", "Đăng ký khai sinh", "Hộ tịch", "same_day", 0),
        ("1.004222", "Đăng ký thường trú", "Cư trú", "working_days", 7),
        ("2.001023", "Cấp thẻ bảo hiểm y tế cho trẻ em dưới 6 tuổi", "Bảo hiểm y tế",
         "working_days", 5),
    ]  # fmt: skip
    for position, (code, name, sector, unit, limit) in enumerate(rows, 1):
        procedure = ProcedureFactory(
            code=code,
            name=name,
            sector=SectorFactory(name=sector),
            time_limit=Decimal(limit),
            time_limit_unit=unit,
        )
        procedure.agencies.add(office.agency)
        InterconnectionMember.objects.create(group=group, procedure=procedure, position=position)
    return group


def receive(office: Office, group: InterconnectionGroup) -> Dossier:
    with time_machine.travel(at(2, 9), tick=False):
        return services.dossier_receive_interconnected(
            officer=office.reception,
            group=group,
            reception_point=office.point,
            applicant=Applicant(name="Trần Văn Nam", account=office.applicant),
        ).dossier


def test_one_receipt_and_one_member_dossier_per_procedure(office, birth_group) -> None:
    parent = receive(office, birth_group)

    assert (parent.code, parent.status, parent.due_at) == (
        "H56.HT-260302-0001",
        "received",
        at(5, 17),
    )
    members = list(
        parent.children.order_by("code").values_list("code", "procedure__code", "status", "due_at")
    )
    assert members == [
        ("H56.HT-260302-0002", "1.001193", "received", at(2, 17)),
        ("H56.HT-260302-0003", "1.004222", "received", at(11, 17)),
        ("H56.HT-260302-0004", "2.001023", "received", at(9, 17)),
    ]
    assert AuditEvent.objects.filter(event="dossiers.received").count() == 4


def test_the_parent_follows_its_members(office, birth_group) -> None:
    parent = receive(office, birth_group)
    members = list(parent.children.order_by("code"))

    services.dossier_transfer(dossier_id=members[0].pk, officer=office.reception)
    parent.refresh_from_db()
    assert parent.status == "in_process"

    for member in members[1:]:
        services.dossier_transfer(dossier_id=member.pk, officer=office.reception)
    for member in members:
        services.dossier_complete(dossier_id=member.pk, officer=office.leader)
    parent.refresh_from_db()
    assert parent.status == "completed"
    assert parent.processing_ended_at == max(
        m.processing_ended_at for m in Dossier.objects.filter(parent=parent)
    )

    for member in members:
        services.dossier_return_result(
            dossier_id=member.pk, officer=office.reception, delivery="counter"
        )
    parent.refresh_from_db()
    assert parent.status == "returned"
    assert [
        e.data for e in AuditEvent.objects.filter(event="dossiers.followed_members").order_by("pk")
    ] == [
        {"from": "received", "to": "in_process"},
        {"from": "in_process", "to": "completed"},
        {"from": "completed", "to": "returned"},
    ]


def test_the_parent_is_not_acted_on_directly(office, birth_group) -> None:
    parent = receive(office, birth_group)

    with pytest.raises(InterconnectedParentError):
        services.dossier_transfer(dossier_id=parent.pk, officer=office.reception)

    assert Dossier.objects.get(pk=parent.pk).version == parent.version


def test_a_member_nobody_here_settles_must_be_named(office, birth_group) -> None:
    birth_group.procedures.get(code="1.004222").agencies.clear()

    with pytest.raises(ValidationError) as refused:
        receive(office, birth_group)

    assert list(refused.value.message_dict) == ["agencies"]
    assert Dossier.objects.count() == 0


def test_a_parent_whose_members_all_withdrew_records_when(office: Office, group_dossier):
    member = group_dossier.children.get()

    services.dossier_withdraw(dossier_id=member.pk, actor=office.applicant)

    group_dossier.refresh_from_db()
    member.refresh_from_db()
    assert (group_dossier.status, group_dossier.withdrawn_at) == ("withdrawn", member.withdrawn_at)
