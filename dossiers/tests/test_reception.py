from datetime import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from dossiers import codes, services
from dossiers.models import Channel, Dossier, Notification, Status
from dossiers.services import Applicant
from portal.models import AuditEvent
from procedures.calendar import LOCAL_TIME

from .conftest import Office

MONDAY_9 = datetime(2026, 3, 2, 9, 0, tzinfo=LOCAL_TIME)
LAN = Applicant(
    name="Nguyễn Thị Lan",
    citizen_id="038190000123",
    phone="0912345678",
    email="lan@example.org",
    address="12 Lê Lợi, phường Hạc Thành",
)


def receive(office: Office, **overrides):
    arguments = {
        "officer": office.reception,
        "procedure": office.procedure,
        "agency": office.agency,
        "reception_point": office.point,
        "applicant": LAN,
    } | overrides
    return services.dossier_receive_at_counter(**arguments)


@time_machine.travel(MONDAY_9, tick=False)
def test_a_paper_dossier_received_at_the_counter(office: Office) -> None:
    reception = receive(office, filled_by_officer=True, digitized=True)

    dossier = Dossier.objects.get()
    assert dossier == reception.dossier
    assert (dossier.status, dossier.channel, dossier.version) == (Status.RECEIVED, "counter", 2)
    assert dossier.code == "H56.HT-260302-0001"
    assert dossier.received_at == MONDAY_9
    # 3 working days, the reception day not counted: Thursday 17:00.
    assert dossier.due_at == datetime(2026, 3, 5, 17, 0, tzinfo=LOCAL_TIME)
    assert dossier.received_by == office.reception
    assert dossier.terms["time_limit"] == "3.00"
    assert [step["name"] for step in dossier.terms["steps"]] == [
        "Tiếp nhận",
        "Thẩm định",
        "Phê duyệt",
        "Trả kết quả",
    ]
    assert dossier.procedure_version == 1
    assert (dossier.filled_by_officer, dossier.digitized) == (True, True)
    # The secret is shown once; only its hash is kept.
    secret = reception.lookup_secret
    assert len(secret) == 8
    assert set(secret) <= set(codes.UNAMBIGUOUS)
    assert secret not in dossier.lookup_secret_hash
    assert codes.secret_matches(dossier, secret.lower())
    assert not codes.secret_matches(dossier, "ABCDEFGH")
    event = AuditEvent.objects.get()
    assert (event.event, event.actor, event.data) == (
        "dossiers.received",
        office.reception,
        {"from": "submitted", "to": "received", "code": "H56.HT-260302-0001"},
    )
    assert sorted(Notification.objects.values_list("medium", "kind", "recipient")) == [
        ("email", "received", "lan@example.org"),
        ("sms", "received", "0912345678"),
    ]
    email = Notification.objects.get(medium="email")
    assert email.subject == "Hồ sơ H56.HT-260302-0001 đã được tiếp nhận"
    assert "17:00 05/03/2026" in email.body


def test_codes_count_per_agency_and_day(office: Office) -> None:
    with time_machine.travel(MONDAY_9, tick=False):
        first = receive(office).dossier.code
        second = receive(office).dossier.code
    with time_machine.travel(datetime(2026, 3, 3, 8, 0, tzinfo=LOCAL_TIME), tick=False):
        next_day = receive(office).dossier.code

    assert [first, second, next_day] == [
        "H56.HT-260302-0001",
        "H56.HT-260302-0002",
        "H56.HT-260303-0001",
    ]
    assert codes.CODE_PATTERN.match(first)


@time_machine.travel(datetime(2026, 3, 6, 16, 30, tzinfo=LOCAL_TIME), tick=False)
def test_a_dossier_received_late_on_friday_starts_on_monday(office: Office) -> None:
    dossier = receive(office).dossier

    assert dossier.received_at == datetime(2026, 3, 6, 16, 30, tzinfo=LOCAL_TIME)
    assert dossier.due_at == datetime(2026, 3, 11, 17, 0, tzinfo=LOCAL_TIME)


def test_an_officer_of_another_point_cannot_receive_here(office: Office) -> None:
    with pytest.raises(PermissionDenied):
        receive(office, officer=office.other_reception)

    assert Dossier.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert Notification.objects.count() == 0


def test_a_procedure_the_agency_does_not_settle_is_refused(office: Office) -> None:
    office.procedure.agencies.remove(office.agency)

    with pytest.raises(ValidationError) as refused:
        receive(office)

    assert list(refused.value.message_dict) == ["agency"]
    assert Dossier.objects.count() == 0


@time_machine.travel(MONDAY_9, tick=False)
def test_an_online_dossier_is_drafted_submitted_then_received(office: Office) -> None:
    draft = services.dossier_create_draft(
        applicant=office.applicant,
        procedure=office.procedure,
        agency=office.agency,
        reception_point=office.point,
        details=LAN,
    )
    assert (draft.status, draft.code, draft.reference[:2]) == ("draft", None, "HS")

    services.dossier_submit(dossier_id=draft.pk, applicant=office.applicant)
    reception = services.dossier_receive(dossier_id=draft.pk, officer=office.reception)

    dossier = reception.dossier
    assert (dossier.status, dossier.channel, dossier.online_level) == (
        "received",
        Channel.ONLINE,
        "full",
    )
    assert dossier.submitted_at == MONDAY_9
    assert dossier.code == "H56.HT-260302-0001"
    assert dossier.reference == draft.reference  # the provisional reference stays valid


def test_a_procedure_not_offered_online_cannot_be_drafted(office: Office) -> None:
    office.procedure.online_level = "none"
    office.procedure.save()

    with pytest.raises(ValidationError) as refused:
        services.dossier_create_draft(
            applicant=office.applicant,
            procedure=office.procedure,
            agency=office.agency,
            reception_point=office.point,
            details=LAN,
        )

    assert list(refused.value.message_dict) == ["procedure"]
    assert Dossier.objects.count() == 0


def test_a_refusal_needs_its_reason(office: Office) -> None:
    dossier = office.dossier(Status.SUBMITTED)

    with pytest.raises(ValidationError):
        services.dossier_reject(dossier_id=dossier.pk, officer=office.reception, reason="  ")

    dossier.refresh_from_db()
    assert (dossier.status, dossier.version) == ("submitted", 1)
    assert AuditEvent.objects.count() == 0
