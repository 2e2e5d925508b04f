"""Liên thông (Decree 63/2024): one application for the procedures of a group, e.g. birth
registration + permanent residence + health insurance card for a child under six."""

from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from dossiers import codes, policies
from dossiers.errors import (
    AgencyToChooseError,
    EmptyInterconnectionGroupError,
    ReceptionPointDeniedError,
)
from dossiers.models import Channel, Dossier, Status
from dossiers.services import notifications
from dossiers.services.common import calendar_of, record
from dossiers.services.intake import Applicant, Reception, new_dossier, start_clock
from portal import audit
from portal.models import User
from procedures import deadlines
from procedures.calendar import LOCAL_TIME
from procedures.models import Agency, InterconnectionGroup, InterconnectionMember, ReceptionPoint


def _agency_for(
    member: InterconnectionMember, reception_point: ReceptionPoint, chosen: Mapping[str, Agency]
) -> Agency:
    """The agency named by the officer, else the only one this point receives for."""
    procedure = member.procedure
    if procedure.code in chosen:
        return chosen[procedure.code]
    candidates = list(
        procedure.agencies.filter(reception_points=reception_point).order_by("code")[:2]
    )
    if len(candidates) != 1:
        raise AgencyToChooseError(procedure=procedure.code, name=procedure.name)
    return candidates[0]


@transaction.atomic
def dossier_receive_interconnected(
    *,
    officer: User,
    group: InterconnectionGroup,
    reception_point: ReceptionPoint,
    applicant: Applicant,
    agencies: Mapping[str, Agency] | None = None,
    channel: str = Channel.COUNTER,
) -> Reception:
    """Tiếp nhận hồ sơ liên thông: a parent dossier carrying the receipt's code and one
    member dossier per procedure of the group, each with its own agency and clock."""
    members = list(group.members.select_related("procedure").order_by("position"))
    if not members:
        raise EmptyInterconnectionGroupError(group=group.code)
    chosen = agencies or {}
    placed = [(member, _agency_for(member, reception_point, chosen)) for member in members]
    now = timezone.now()
    lead_procedure, lead_agency = placed[0][0].procedure, placed[0][1]
    parent = new_dossier(
        procedure=lead_procedure,
        agency=lead_agency,
        reception_point=reception_point,
        channel=channel,
        applicant=applicant,
        status=Status.SUBMITTED,
        interconnection_group=group,
    )
    if not policies.can(officer, "receive", parent):
        raise ReceptionPointDeniedError
    parent.submitted_at = parent.received_at = now
    parent.received_by = officer
    parent.terms = {
        "group": group.code,
        "time_limit": str(group.time_limit),
        "time_limit_unit": group.time_limit_unit,
        "members": [member.procedure.code for member in members],
    }
    parent.due_at = deadlines.due_at(
        calendar_of(parent), now, float(group.time_limit), group.time_limit_unit
    )
    parent.code = codes.allocate_code(agency=lead_agency, day=now.astimezone(LOCAL_TIME).date())
    secret = codes.issue_lookup_secret(parent)
    parent.receive()
    parent.version += 1
    parent.save()
    audit.record(
        actor=officer,
        event="dossiers.received",
        target=parent,
        data={"from": "submitted", "to": "received", "code": parent.code, "group": group.code},
    )
    for member, agency in placed:
        child = new_dossier(
            procedure=member.procedure,
            agency=agency,
            reception_point=reception_point,
            channel=channel,
            applicant=applicant,
            status=Status.SUBMITTED,
            parent=parent,
            interconnection_group=group,
            submitted_at=now,
        )
        start_clock(child, officer=officer, at=now)
        child.receive()
        record(
            child,
            actor=officer,
            action="receive",
            before=Status.SUBMITTED,
            data={"code": child.code, "parent": parent.code},
        )
    notifications.queue_for_applicant(parent, "received")
    return Reception(Dossier.objects.get(pk=parent.pk), secret)
