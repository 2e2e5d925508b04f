from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from dossiers import codes, services
from dossiers.models import Channel, Dossier, HandOver, Pause, Status
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
    Step,
)
from tests.factories import ProcedureFactory, SectorFactory, UserFactory


@dataclass
class Office:
    """One commune: its People's Committee, its one-stop centre, a procedure it settles,
    its officers; and a neighbouring commune's officers, who must see nothing."""

    unit: AdministrativeUnit
    agency: Agency
    point: ReceptionPoint
    procedure: Procedure
    reception: User
    processing: User
    leader: User
    applicant: User
    other_reception: User
    other_processing: User
    other_leader: User
    other_agency: Agency
    other_point: ReceptionPoint

    def dossier(self, status: str = Status.SUBMITTED, **fields) -> Dossier:
        return make_dossier(self, status, **fields)


def _commune(code: str, name: str, province: AdministrativeUnit, agency_code: str):
    unit = AdministrativeUnit.objects.create(code=code, name=name, level="commune", parent=province)
    agency = Agency.objects.create(code=agency_code, name=f"Ủy ban nhân dân {name}", unit=unit)
    point = ReceptionPoint.objects.create(
        code=f"ttpvhcc-{code}",
        name=f"Trung tâm Phục vụ hành chính công {name}",
        kind=ReceptionPoint.Kind.COMMUNE_CENTRE,
        unit=unit,
    )
    point.agencies.add(agency)
    return unit, agency, point


def _officer(username: str, role: str, **scope) -> User:
    user = UserFactory(username=username, email=f"{username}@example.org", is_staff=True)
    Assignment.objects.create(user=user, role=role, **scope)
    return user


@pytest.fixture
def office(db) -> Office:
    province = AdministrativeUnit.objects.create(code="38", name="Tỉnh Thanh Hóa", level="province")
    unit, agency, point = _commune("14797", "Phường Hạc Thành", province, "H56.HT")
    _, other_agency, other_point = _commune("14800", "Phường Quảng Phú", province, "H56.101")
    procedure = ProcedureFactory(
        code="1.004873",
        name="Cấp Giấy xác nhận tình trạng hôn nhân",
        sector=SectorFactory(name="Hộ tịch"),
        time_limit=Decimal(3),
        time_limit_unit="working_days",
        online_level="full",
    )
    procedure.agencies.add(agency, other_agency)
    for position, (name, hours) in enumerate(
        [("Tiếp nhận", 2), ("Thẩm định", 12), ("Phê duyệt", 6), ("Trả kết quả", 4)]
    ):
        Step.objects.create(
            procedure=procedure, position=position, name=name, budget_hours=Decimal(hours)
        )
    return Office(
        unit=unit,
        agency=agency,
        point=point,
        procedure=procedure,
        reception=_officer("tiepnhan", Role.RECEPTION_OFFICER, reception_point=point),
        processing=_officer("thuly", Role.PROCESSING_OFFICER, agency=agency),
        leader=_officer("lanhdao", Role.UNIT_LEADER, agency=agency),
        applicant=UserFactory(username="congdan", email="congdan@example.org"),
        other_reception=_officer("tiepnhan2", Role.RECEPTION_OFFICER, reception_point=other_point),
        other_processing=_officer("thuly2", Role.PROCESSING_OFFICER, agency=other_agency),
        other_leader=_officer("lanhdao2", Role.UNIT_LEADER, agency=other_agency),
        other_agency=other_agency,
        other_point=other_point,
    )


RECEIVED_STATES = {
    Status.RECEIVED,
    Status.IN_PROCESS,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
    Status.STOPPED,
    Status.COMPLETED,
    Status.RETURNED,
    Status.WITHDRAWN,
}


def make_dossier(office: Office, status: str, **fields) -> Dossier:
    """A dossier as the services would have left it in `status`."""
    now = timezone.now()
    received = status in RECEIVED_STATES
    values = {
        "reference": codes.new_reference(),
        "status": status,
        "procedure": office.procedure,
        "agency": office.agency,
        "unit": office.unit,
        "reception_point": office.point,
        "channel": Channel.ONLINE,
        "applicant": office.applicant,
        "applicant_name": "Nguyễn Thị Lan",
        "applicant_email": "lan@example.org",
        "applicant_phone": "0912345678",
        "submitted_at": now - timedelta(days=2) if status != Status.DRAFT else None,
    }
    if received:
        values |= {
            "code": f"H56.HT-{now:%y%m%d}-{Dossier.objects.count() + 1:04d}",
            "received_at": now - timedelta(days=1),
            "received_by": office.reception,
            "due_at": now + timedelta(days=5),
            "terms": {
                "time_limit": "3.00",
                "time_limit_unit": "working_days",
                "steps": [
                    {"name": "Tiếp nhận", "hours": "2.00"},
                    {"name": "Thẩm định", "hours": "12.00"},
                    {"name": "Phê duyệt", "hours": "6.00"},
                ],
                "fees": [],
            },
        }
    if status in (Status.STOPPED, Status.COMPLETED, Status.RETURNED):
        values["processing_ended_at"] = now - timedelta(hours=1)
    if status == Status.RETURNED:
        values["returned_at"] = now
    dossier = Dossier.objects.create(**(values | fields))
    if status in (Status.IN_PROCESS, Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION):
        HandOver.objects.create(
            dossier=dossier,
            sequence=1,
            step_name="Thẩm định",
            from_label="Một cửa",
            to_label=str(dossier.agency),
            to_agency=dossier.agency,
            sent_by=office.reception,
            sent_at=now - timedelta(hours=20),
        )
    if status in (Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION):
        kind = (
            Pause.Kind.SUPPLEMENT
            if status == Status.SUPPLEMENT_REQUESTED
            else Pause.Kind.FINANCIAL_OBLIGATION
        )
        Pause.objects.create(
            dossier=dossier,
            kind=kind,
            stage=Pause.Stage.PROCESSING,
            items=["Giấy tờ"],
            reason="Thiếu giấy tờ",
            requested_by=office.processing,
            requested_at=now - timedelta(hours=2),
            due_before=dossier.due_at,
        )
    return dossier


@pytest.fixture
def group_dossier(office: Office) -> Dossier:
    group = InterconnectionGroup.objects.create(
        code="G", name="G", time_limit=3, time_limit_unit="working_days"
    )
    InterconnectionMember.objects.create(group=group, procedure=office.procedure)
    return services.dossier_receive_interconnected(
        officer=office.reception,
        group=group,
        reception_point=office.point,
        applicant=services.Applicant(name="Lan", account=office.applicant),
    ).dossier
