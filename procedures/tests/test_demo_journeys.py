"""Issue #15: every procedure of the demo can be taken from intake to the returned result
with the demo accounts alone (reception officer, processing officer, leader of the agency
that settles it)."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from dossiers.models import Status
from dossiers.services import dossier_complete, dossier_transfer
from dossiers.services.intake import Applicant, dossier_receive_at_counter
from dossiers.services.processing import dossier_hand_over, dossier_return_result
from portal.models import User
from portal.roles import Role
from procedures.models import Assignment, Procedure, ReceptionPoint

pytestmark = pytest.mark.django_db


def demo_officer(role: str, **scope) -> User:
    """The one demo account holding `role` for the scope (the demo has exactly one)."""
    return Assignment.objects.get(role=role, **scope).user


def test_each_demo_procedure_goes_from_intake_to_returned_with_the_demo_accounts() -> None:
    call_command("load_demo", stdout=io.StringIO())
    today = timezone.localdate()
    procedures = Procedure.objects.public(today).order_by("code")
    returned = []

    for procedure in procedures:
        # The demo commune (Hạc Thành) or the province's one settling department.
        agency = procedure.agencies.valid_on(today).filter(code__in=demo_agencies()).get()
        point = ReceptionPoint.objects.valid_on(today).get(agencies=agency)
        reception = dossier_receive_at_counter(
            officer=demo_officer(Role.RECEPTION_OFFICER, reception_point=point),
            procedure=procedure,
            agency=agency,
            reception_point=point,
            applicant=Applicant(name="Nguyễn Thị Lan", citizen_id="038190000123"),
        )
        dossier = reception.dossier
        dossier_transfer(dossier_id=dossier.pk, officer=reception_officer(point))
        dossier_hand_over(
            dossier_id=dossier.pk,
            officer=demo_officer(Role.PROCESSING_OFFICER, agency=agency),
            to_label="Lãnh đạo",
        )
        dossier_complete(
            dossier_id=dossier.pk, officer=demo_officer(Role.UNIT_LEADER, agency=agency)
        )
        dossier_return_result(
            dossier_id=dossier.pk, officer=reception_officer(point), delivery="counter"
        )
        dossier.refresh_from_db()
        returned.append((procedure.code, dossier.status))

    assert len(returned) == procedures.count() > 30
    assert {status for _, status in returned} == {Status.RETURNED}


def demo_agencies() -> list[str]:
    return ["H56.HT", *(code for code in AGENCY_CODES)]


def reception_officer(point: ReceptionPoint) -> User:
    return demo_officer(Role.RECEPTION_OFFICER, reception_point=point)


AGENCY_CODES = [
    "000.00.07.H56",
    "000.00.10.H56",
    "000.00.13.H56",
    "000.00.14.H56",
    "000.00.16.H56",
    "000.00.18.H56",
    "000.00.19.H56",
    "000.00.25.H56",
]
