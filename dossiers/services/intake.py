"""Tiếp nhận: creating dossiers and accepting, refusing or completing them at reception."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from dossiers import codes, policies
from dossiers.errors import (
    AgencyDoesNotSettleError,
    PartnerPointDeniedError,
    PointDoesNotReceiveForError,
    ProcedureNotOnlineError,
    ProcedureNotPostalError,
    ReasonRequiredError,
    ReceptionPointClosedError,
    ReceptionPointDeniedError,
)
from dossiers.models import Channel, Dossier, Pause, Status
from dossiers.services import notifications
from dossiers.services.common import (
    calendar_of,
    check_supplement_request,
    locked,
    record,
    time_limit,
)
from portal import audit
from portal.models import User
from portal.service_errors import ServiceValidationError, refuse
from procedures import deadlines
from procedures.calendar import LOCAL_TIME
from procedures.models import Agency, OnlineLevel, Procedure, ReceptionPoint
from procedures.selectors import procedure_terms


@dataclass(frozen=True)
class Reception:
    """A received dossier and the lookup secret for its receipt, shown once."""

    dossier: Dossier
    lookup_secret: str


@dataclass(frozen=True)
class Applicant:
    name: str
    citizen_id: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    account: User | None = None


def _check_offer(procedure: Procedure, agency: Agency, reception_point: ReceptionPoint) -> None:
    day = timezone.localdate()
    problems: list[ServiceValidationError] = []
    settles = procedure.agencies.filter(pk=agency.pk).exists()
    if not settles:
        problems.append(AgencyDoesNotSettleError(agency=agency, procedure=procedure.code))
    if not reception_point.is_valid_on(day) or not agency.is_valid_on(day):
        problems.append(ReceptionPointClosedError())
    elif settles and not reception_point.agencies.filter(pk=agency.pk).exists():
        problems.append(PointDoesNotReceiveForError(point=reception_point, agency=agency))
    refuse(problems)


def new_dossier(
    *,
    procedure: Procedure,
    agency: Agency,
    reception_point: ReceptionPoint,
    channel: str,
    applicant: Applicant,
    status: str,
    **fields: object,
) -> Dossier:
    _check_offer(procedure, agency, reception_point)
    return Dossier(
        reference=codes.new_reference(),
        status=status,
        procedure=procedure,
        agency=agency,
        unit=agency.unit,
        reception_point=reception_point,
        channel=channel,
        applicant=applicant.account,
        applicant_name=applicant.name,
        applicant_citizen_id=applicant.citizen_id,
        applicant_phone=applicant.phone,
        applicant_email=applicant.email,
        applicant_address=applicant.address,
        **fields,
    )


@transaction.atomic
def dossier_create_draft(
    *,
    applicant: User,
    procedure: Procedure,
    agency: Agency,
    reception_point: ReceptionPoint,
    details: Applicant,
    **fields: object,
) -> Dossier:
    """Hồ sơ nháp: an online application being filled in by its applicant."""
    if procedure.online_level == OnlineLevel.NONE:
        raise ProcedureNotOnlineError(procedure=procedure.code)
    dossier = new_dossier(
        procedure=procedure,
        agency=agency,
        reception_point=reception_point,
        channel=Channel.ONLINE,
        applicant=Applicant(**{**details.__dict__, "account": applicant}),
        status=Status.DRAFT,
        online_level=procedure.online_level,
        legacy_level=procedure.legacy_level,
        **fields,
    )
    dossier.save()
    return dossier


@transaction.atomic
def dossier_submit(
    *, dossier_id: UUID | str, applicant: User, expected_version: int | None = None
) -> Dossier:
    """Nộp hồ sơ trực tuyến: the applicant sends the draft for reception."""
    dossier = locked(
        dossier_id=dossier_id, actor=applicant, action="submit", expected_version=expected_version
    )
    before = dossier.status
    dossier.submitted_at = timezone.now()
    dossier.submit()
    record(dossier, actor=applicant, action="submit", before=before)
    return dossier


def start_clock(dossier: Dossier, *, officer: User, at: datetime, fees_set: bool = False) -> str:
    """What reception fixes for good: code, terms, due time, lookup secret. The fees are
    the procedure's unless the officer set them (an exemption is 0)."""
    dossier.received_at = at
    dossier.received_by = officer
    dossier.terms = procedure_terms(dossier.procedure)
    dossier.procedure_version = dossier.procedure.version
    if not fees_set and not dossier.fee_amount:
        dossier.fee_amount = sum(fee["amount"] for fee in dossier.terms["fees"])
    limit, unit = time_limit(dossier)
    dossier.due_at = deadlines.due_at(calendar_of(dossier), at, limit, unit)
    dossier.code = codes.allocate_code(agency=dossier.agency, day=at.astimezone(LOCAL_TIME).date())
    return codes.issue_lookup_secret(dossier)


@transaction.atomic
def dossier_receive(
    *, dossier_id: UUID | str, officer: User, expected_version: int | None = None
) -> Reception:
    """Tiếp nhận: accept a submitted (online or postal) dossier and start its legal clock."""
    dossier = locked(
        dossier_id=dossier_id, actor=officer, action="receive", expected_version=expected_version
    )
    before = dossier.status
    secret = start_clock(dossier, officer=officer, at=timezone.now())
    dossier.receive()
    record(dossier, actor=officer, action="receive", before=before, data={"code": dossier.code})
    notifications.queue_for_applicant(dossier, "received")
    return Reception(dossier, secret)


@transaction.atomic
def dossier_receive_at_counter(
    *,
    officer: User,
    procedure: Procedure,
    agency: Agency,
    reception_point: ReceptionPoint,
    applicant: Applicant,
    **fields: object,
) -> Reception:
    """Tiếp nhận trực tiếp: a complete paper dossier received at the counter (form 01)."""
    dossier = new_dossier(
        procedure=procedure,
        agency=agency,
        reception_point=reception_point,
        channel=Channel.COUNTER,
        applicant=applicant,
        status=Status.SUBMITTED,
        **fields,
    )
    if not policies.can(officer, "receive", dossier):
        raise ReceptionPointDeniedError
    now = timezone.now()
    dossier.submitted_at = now
    secret = start_clock(dossier, officer=officer, at=now, fees_set="fee_amount" in fields)
    dossier.receive()
    record(
        dossier,
        actor=officer,
        action="receive",
        before=Status.SUBMITTED,
        data={"code": dossier.code},
    )
    notifications.queue_for_applicant(dossier, "received")
    return Reception(dossier, secret)


@transaction.atomic
def dossier_submit_by_post(
    *,
    partner: User,
    procedure: Procedure,
    agency: Agency,
    reception_point: ReceptionPoint,
    applicant: Applicant,
    **fields: object,
) -> Dossier:
    """Nộp hồ sơ qua bưu chính công ích (Decision 45/2016): the postal partner collected
    and sealed the dossier; it waits for reception like an online one."""
    if not procedure.postal_intake:
        raise ProcedureNotPostalError(procedure=procedure.code)
    dossier = new_dossier(
        procedure=procedure,
        agency=agency,
        reception_point=reception_point,
        channel=Channel.POSTAL,
        applicant=applicant,
        status=Status.SUBMITTED,
        **fields,
    )
    if not policies.can(partner, "submit_by_post", dossier):
        raise PartnerPointDeniedError
    return _record_submitted(dossier, actor=partner)


def _record_submitted(dossier: Dossier, *, actor: User) -> Dossier:
    """A new dossier sent for reception (by post, or brought to the counter): saved and
    audited as submitted."""
    dossier.submitted_at = timezone.now()
    dossier.version += 1
    dossier.save()
    audit.record(
        actor=actor,
        event="dossiers.submitted",
        target=dossier,
        data={"from": None, "to": Status.SUBMITTED, "channel": dossier.channel},
    )
    return dossier


@transaction.atomic
def dossier_reject(
    *, dossier_id: UUID | str, officer: User, reason: str, expected_version: int | None = None
) -> Dossier:
    """Từ chối tiếp nhận (form 03): the dossier is not eligible."""
    if not reason.strip():
        raise ReasonRequiredError
    dossier = locked(
        dossier_id=dossier_id, actor=officer, action="reject", expected_version=expected_version
    )
    before = dossier.status
    dossier.rejected_at = timezone.now()
    dossier.reject()
    record(dossier, actor=officer, action="reject", before=before, data={"reason": reason})
    notifications.queue_for_applicant(dossier, "rejected")
    return dossier


@transaction.atomic
def dossier_request_supplement_at_intake(
    *,
    dossier_id: UUID | str,
    officer: User,
    items: list[str],
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Hướng dẫn bổ sung (form 02) before reception: the clock has not started."""
    check_supplement_request(items, reason)
    dossier = locked(
        dossier_id=dossier_id,
        actor=officer,
        action="request_supplement_at_intake",
        expected_version=expected_version,
    )
    before = dossier.status
    now = timezone.now()
    Pause.objects.create(
        dossier=dossier,
        kind=Pause.Kind.SUPPLEMENT,
        stage=Pause.Stage.INTAKE,
        items=items,
        reason=reason,
        requested_by=officer,
        requested_at=now,
    )
    dossier.paused_at = now
    dossier.request_supplement_at_intake()
    record(
        dossier,
        actor=officer,
        action="request_supplement_at_intake",
        before=before,
        data={"items": items},
    )
    notifications.queue_for_applicant(dossier, "supplement_requested")
    return dossier


def _walk_in(
    *,
    officer: User,
    action: str,
    procedure: Procedure,
    agency: Agency,
    reception_point: ReceptionPoint,
    applicant: Applicant,
    **fields: object,
) -> Dossier:
    """A paper dossier brought to the counter, recorded before the officer's decision."""
    dossier = new_dossier(
        procedure=procedure,
        agency=agency,
        reception_point=reception_point,
        channel=Channel.COUNTER,
        applicant=applicant,
        status=Status.SUBMITTED,
        **fields,
    )
    if not policies.can(officer, action, dossier):
        raise ReceptionPointDeniedError
    dossier.terms = procedure_terms(procedure)
    dossier.procedure_version = procedure.version
    return _record_submitted(dossier, actor=officer)


@transaction.atomic
def dossier_guide_at_counter(
    *, officer: User, items: list[str], reason: str, **walk_in: Any
) -> Dossier:
    """Hướng dẫn hoàn thiện hồ sơ (form 02) for a paper dossier that is not complete: it is
    recorded, not received; the applicant brings it back completed."""
    check_supplement_request(items, reason)
    dossier = _walk_in(officer=officer, action="request_supplement_at_intake", **walk_in)
    return dossier_request_supplement_at_intake(
        dossier_id=dossier.pk, officer=officer, items=items, reason=reason
    )


@transaction.atomic
def dossier_refuse_at_counter(*, officer: User, reason: str, **walk_in: Any) -> Dossier:
    """Từ chối tiếp nhận (form 03) of a paper dossier brought to the counter."""
    if not reason.strip():
        raise ReasonRequiredError
    dossier = _walk_in(officer=officer, action="reject", **walk_in)
    return dossier_reject(dossier_id=dossier.pk, officer=officer, reason=reason)
