"""Giải quyết: from the hand-over to the competent agency to the returned result."""

from datetime import datetime
from decimal import Decimal
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from dossiers import policies, timeliness
from dossiers.errors import (
    AssignDeniedError,
    AssigneeOutsideAgencyError,
    HandOverTargetRequiredError,
    NegativeAmountError,
    NewDueDateTooEarlyError,
    ReasonRequiredError,
    UnknownResultDeliveryError,
)
from dossiers.models import OPEN, Apology, Dossier, HandOver, Pause, ResultDelivery
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
from procedures import deadlines
from procedures.models import Agency

SECONDS_PER_HOUR = 3600


def _open_step(
    dossier: Dossier,
    *,
    officer: User,
    at: datetime,
    from_label: str,
    to_label: str,
    to_agency: Agency | None = None,
    note: str = "",
) -> HandOver:
    """A new row of form 05; the step's budget comes from the procedure's internal
    workflow as it stood at reception."""
    sequence = dossier.hand_overs.count() + 1
    steps = (dossier.terms or {}).get("steps", [])
    step = steps[sequence] if sequence < len(steps) else None
    budget = Decimal(step["hours"]) if step else None
    return HandOver.objects.create(
        dossier=dossier,
        sequence=sequence,
        step_name=step["name"] if step else to_label,
        from_label=from_label,
        to_label=to_label,
        to_agency=to_agency,
        sent_by=officer,
        sent_at=at,
        budget_hours=budget,
        step_due_at=(
            calendar_of(dossier).add_working_seconds(at, float(budget) * SECONDS_PER_HOUR)
            if budget is not None
            else None
        ),
        note=note,
    )


def _close_step(dossier: Dossier, *, officer: User, at: datetime) -> None:
    """The receiving side passes the dossier on: its step ends, kept or late."""
    current = dossier.hand_overs.filter(finished_at__isnull=True).order_by("-sequence").first()
    if current is None:
        return
    current.received_by = current.received_by or officer
    current.finished_at = at
    if current.step_due_at is not None:
        current.timeliness = timeliness.timeliness_when_ended(at, current.step_due_at)
    current.save(update_fields=["received_by", "finished_at", "timeliness"])


@transaction.atomic
def dossier_transfer(
    *, dossier_id: UUID | str, officer: User, expected_version: int | None = None
) -> Dossier:
    """Chuyển hồ sơ: the reception point hands the dossier to the competent agency."""
    dossier = locked(
        dossier_id=dossier_id, actor=officer, action="transfer", expected_version=expected_version
    )
    before, now = dossier.status, timezone.now()
    _open_step(
        dossier,
        officer=officer,
        at=now,
        from_label=str(dossier.reception_point or dossier.unit),
        to_label=str(dossier.agency),
        to_agency=dossier.agency,
    )
    dossier.transfer()
    record(dossier, actor=officer, action="transfer", before=before)
    return dossier


@transaction.atomic
def dossier_hand_over(
    *,
    dossier_id: UUID | str,
    officer: User,
    to_label: str,
    to_agency: Agency | None = None,
    note: str = "",
    expected_version: int | None = None,
) -> HandOver:
    """Chuyển bước xử lý: to another department or an interconnected agency (form 05)."""
    if not to_label.strip():
        raise HandOverTargetRequiredError
    dossier = locked(
        dossier_id=dossier_id, actor=officer, action="hand_over", expected_version=expected_version
    )
    before, now = dossier.status, timezone.now()
    previous = dossier.hand_overs.order_by("-sequence").first()
    _close_step(dossier, officer=officer, at=now)
    row = _open_step(
        dossier,
        officer=officer,
        at=now,
        from_label=previous.to_label if previous else str(dossier.agency),
        to_label=to_label,
        to_agency=to_agency,
        note=note,
    )
    dossier.hand_over()
    record(
        dossier,
        actor=officer,
        action="hand_over",
        before=before,
        data={"sequence": row.sequence, "to_label": to_label},
    )
    return row


def _pause(
    dossier: Dossier,
    *,
    kind: str,
    officer: User,
    reason: str,
    items: list[str] | None = None,
    amount: int | None = None,
) -> Pause:
    now = timezone.now()
    dossier.paused_at = now
    dossier.pause_count += 1
    return Pause.objects.create(
        dossier=dossier,
        kind=kind,
        stage=Pause.Stage.PROCESSING,
        items=items or [],
        reason=reason,
        amount=amount,
        requested_by=officer,
        requested_at=now,
        due_before=dossier.due_at,
    )


def _resume(dossier: Dossier, *, actor: User) -> Pause:
    """The clock runs again; the due time moves later by the working time waited."""
    pause = dossier.pauses.get(resumed_at__isnull=True)
    now = timezone.now()
    if pause.stage == Pause.Stage.PROCESSING and dossier.due_at is not None:
        _, unit = time_limit(dossier)
        dossier.due_at = deadlines.extend_for_pause(
            calendar_of(dossier), dossier.due_at, unit, pause.requested_at, now
        )
    pause.resumed_at, pause.resumed_by, pause.due_after = now, actor, dossier.due_at
    pause.save(update_fields=["resumed_at", "resumed_by", "due_after"])
    dossier.paused_at = None
    return pause


@transaction.atomic
def dossier_request_supplement(
    *,
    dossier_id: UUID | str,
    officer: User,
    items: list[str],
    reason: str,
    expected_version: int | None = None,
) -> Dossier:
    """Yêu cầu bổ sung, hoàn thiện hồ sơ (form 02) during processing: the clock stops.
    A second request makes the dossier late (Decision 766)."""
    check_supplement_request(items, reason)
    dossier = locked(
        dossier_id=dossier_id,
        actor=officer,
        action="request_supplement",
        expected_version=expected_version,
    )
    before = dossier.status
    _pause(dossier, kind=Pause.Kind.SUPPLEMENT, officer=officer, reason=reason, items=items)
    dossier.supplement_count += 1
    dossier.request_supplement()
    record(
        dossier,
        actor=officer,
        action="request_supplement",
        before=before,
        data={"items": items, "count": dossier.supplement_count},
    )
    notifications.queue_for_applicant(dossier, "supplement_requested")
    return dossier


@transaction.atomic
def dossier_supplement(
    *, dossier_id: UUID | str, actor: User, expected_version: int | None = None
) -> Dossier:
    """Bổ sung hồ sơ: the applicant brought or uploaded what was asked."""
    dossier = locked(
        dossier_id=dossier_id, actor=actor, action="supplement", expected_version=expected_version
    )
    before = dossier.status
    pause = _resume(dossier, actor=actor)
    dossier.supplement(at_intake=pause.stage == Pause.Stage.INTAKE)
    record(
        dossier,
        actor=actor,
        action="supplement",
        before=before,
        data={"due_at": dossier.due_at.isoformat() if dossier.due_at else None},
    )
    return dossier


@transaction.atomic
def dossier_request_financial_obligation(
    *,
    dossier_id: UUID | str,
    officer: User,
    reason: str,
    amount: int | None = None,
    expected_version: int | None = None,
) -> Dossier:
    """Thông báo nghĩa vụ tài chính: tax or land levy to pay; the clock stops."""
    if not reason.strip():
        raise ReasonRequiredError
    if amount is not None and amount < 0:
        raise NegativeAmountError
    dossier = locked(
        dossier_id=dossier_id,
        actor=officer,
        action="request_financial_obligation",
        expected_version=expected_version,
    )
    before = dossier.status
    _pause(
        dossier, kind=Pause.Kind.FINANCIAL_OBLIGATION, officer=officer, reason=reason, amount=amount
    )
    dossier.request_financial_obligation()
    record(
        dossier,
        actor=officer,
        action="request_financial_obligation",
        before=before,
        data={"amount": amount},
    )
    notifications.queue_for_applicant(dossier, "financial_obligation")
    return dossier


@transaction.atomic
def dossier_fulfil_financial_obligation(
    *, dossier_id: UUID | str, actor: User, expected_version: int | None = None
) -> Dossier:
    dossier = locked(
        dossier_id=dossier_id,
        actor=actor,
        action="fulfil_financial_obligation",
        expected_version=expected_version,
    )
    before = dossier.status
    _resume(dossier, actor=actor)
    dossier.fulfil_financial_obligation()
    record(dossier, actor=actor, action="fulfil_financial_obligation", before=before)
    return dossier


@transaction.atomic
def dossier_apologise(
    *,
    dossier_id: UUID | str,
    officer: User,
    reason: str,
    new_due_at: datetime,
    expected_version: int | None = None,
) -> Apology:
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (form 04): once; the KPI keeps the
    original due time. Issued later than one working day before it is allowed but noted."""
    if not reason.strip():
        raise ReasonRequiredError
    dossier = locked(
        dossier_id=dossier_id, actor=officer, action="apologise", expected_version=expected_version
    )
    if dossier.due_at is None or new_due_at <= dossier.due_at:
        raise NewDueDateTooEarlyError
    before, now = dossier.status, timezone.now()
    late = timeliness.is_apology_late(calendar_of(dossier), now, dossier.due_at)
    apology = Apology.objects.create(
        dossier=dossier,
        reason=reason,
        new_due_at=new_due_at,
        issued_by=officer,
        issued_at=now,
        issued_late=late,
    )
    dossier.apologise()
    dossier.rescheduled_due_at = new_due_at
    record(
        dossier,
        actor=officer,
        action="apologise",
        before=before,
        data={"new_due_at": new_due_at.isoformat(), "issued_late": late},
    )
    notifications.queue_for_applicant(dossier, "apology")
    return apology


def _end_processing(
    dossier: Dossier, *, officer: User, action: str, data: dict[str, object] | None = None
) -> Dossier:
    before, now = dossier.status, timezone.now()
    _close_step(dossier, officer=officer, at=now)
    dossier.processing_ended_at = now
    getattr(dossier, action)()
    if action == "complete":
        # The last row of form 05: back to the reception point with the result.
        _open_step(
            dossier,
            officer=officer,
            at=now,
            from_label=str(dossier.agency),
            to_label=str(dossier.reception_point or dossier.unit),
        )
    record(dossier, actor=officer, action=action, before=before, data=data)
    return dossier


@transaction.atomic
def dossier_complete(
    *, dossier_id: UUID | str, officer: User, expected_version: int | None = None
) -> Dossier:
    """Đã xử lý xong: the result is signed; processing ends (RULES.md §5)."""
    dossier = locked(
        dossier_id=dossier_id, actor=officer, action="complete", expected_version=expected_version
    )
    _end_processing(dossier, officer=officer, action="complete")
    notifications.queue_for_applicant(dossier, "result_ready")
    return dossier


@transaction.atomic
def dossier_stop(
    *, dossier_id: UUID | str, officer: User, reason: str, expected_version: int | None = None
) -> Dossier:
    """Dừng giải quyết: refused after appraisal, with the reasons in writing."""
    if not reason.strip():
        raise ReasonRequiredError
    dossier = locked(
        dossier_id=dossier_id, actor=officer, action="stop", expected_version=expected_version
    )
    _end_processing(dossier, officer=officer, action="stop", data={"reason": reason})
    notifications.queue_for_applicant(dossier, "stopped")
    return dossier


@transaction.atomic
def dossier_return_result(
    *,
    dossier_id: UUID | str,
    officer: User,
    delivery: str,
    expected_version: int | None = None,
) -> Dossier:
    """Trả kết quả: handed over at the counter, sent by post or delivered online."""
    if delivery not in ResultDelivery.values:
        raise UnknownResultDeliveryError(choices=", ".join(ResultDelivery.values))
    dossier = locked(
        dossier_id=dossier_id,
        actor=officer,
        action="return_result",
        expected_version=expected_version,
    )
    before, now = dossier.status, timezone.now()
    _close_step(dossier, officer=officer, at=now)
    dossier.returned_at, dossier.returned_by, dossier.result_delivery = now, officer, delivery
    dossier.return_result()
    record(
        dossier, actor=officer, action="return_result", before=before, data={"delivery": delivery}
    )
    return dossier


@transaction.atomic
def dossier_withdraw(
    *, dossier_id: UUID | str, actor: User, reason: str = "", expected_version: int | None = None
) -> Dossier:
    """Rút hồ sơ: at the applicant's request, before the result."""
    dossier = locked(
        dossier_id=dossier_id, actor=actor, action="withdraw", expected_version=expected_version
    )
    before, now = dossier.status, timezone.now()
    open_pause = dossier.pauses.filter(resumed_at__isnull=True).first()
    if open_pause is not None:
        open_pause.resumed_at, open_pause.resumed_by = now, actor
        open_pause.save(update_fields=["resumed_at", "resumed_by"])
    dossier.withdrawn_at = now
    dossier.withdraw()
    record(dossier, actor=actor, action="withdraw", before=before, data={"reason": reason})
    return dossier


def save_recorded(dossier: Dossier, *, actor: User, event: str, data: dict[str, object]) -> None:
    """Save a change that is not a transition: it still bumps the version, so whoever
    looked at the dossier before acts on what they saw or not at all."""
    dossier.version += 1
    dossier.save()
    audit.record(actor=actor, event=event, target=dossier, data=data)


@transaction.atomic
def dossier_assign(
    *,
    dossier_id: UUID | str,
    officer: User,
    assignee: User | None,
    expected_version: int | None = None,
) -> Dossier:
    """Phân công xử lý: a leader gives the dossier to an officer of the agency (or to
    nobody); an officer takes an unassigned one, or gives back their own."""
    dossier = locked(
        dossier_id=dossier_id,
        actor=officer,
        action="assign",
        states=OPEN,
        expected_version=expected_version,
    )
    holder = dossier.assigned_to_id
    takes_free = holder is None and assignee is not None and assignee.pk == officer.pk
    gives_back = holder == officer.pk and assignee is None
    if not (takes_free or gives_back or policies.can(officer, "assign_others", dossier)):
        raise AssignDeniedError
    if assignee is not None and policies.PROCESSING not in policies.capacities(assignee, dossier):
        raise AssigneeOutsideAgencyError
    if holder == (assignee.pk if assignee else None):
        return dossier  # asked twice: already so
    dossier.assigned_to = assignee
    dossier.assigned_at = timezone.now() if assignee else None
    save_recorded(
        dossier,
        actor=officer,
        event="dossiers.assigned",
        data={
            "previous": holder,
            "assignee": assignee.pk if assignee else None,
            "assignee_name": str(assignee) if assignee else "",
        },
    )
    return dossier
