"""Every (state, action) pair: allowed ones succeed with exactly one audit event; forbidden
ones raise, change nothing and record nothing (RULES.md §3, DOMAIN.md §6.2)."""

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone

from dossiers import services
from dossiers.errors import InvalidTransitionError
from dossiers.models import Apology, Dossier, HandOver, Notification, Pause, Status
from dossiers.services.common import EVENTS
from portal.models import AuditEvent

from .conftest import Office

S = Status

# What the rules allow: action → {from state: to state}. Written out, not derived from
# the model, so that a change of the state machine has to change this table too.
ALLOWED: dict[str, dict[str, str]] = {
    "submit": {S.DRAFT: S.SUBMITTED},
    "receive": {S.SUBMITTED: S.RECEIVED},
    "reject": {S.SUBMITTED: S.REJECTED},
    "request_supplement_at_intake": {S.SUBMITTED: S.SUPPLEMENT_REQUESTED},
    "transfer": {S.RECEIVED: S.IN_PROCESS},
    "hand_over": {S.IN_PROCESS: S.IN_PROCESS},
    "request_supplement": {S.IN_PROCESS: S.SUPPLEMENT_REQUESTED},
    "supplement": {S.SUPPLEMENT_REQUESTED: S.IN_PROCESS},
    "request_financial_obligation": {S.IN_PROCESS: S.FINANCIAL_OBLIGATION},
    "fulfil_financial_obligation": {S.FINANCIAL_OBLIGATION: S.IN_PROCESS},
    "apologise": {S.IN_PROCESS: S.IN_PROCESS},
    "stop": {S.IN_PROCESS: S.STOPPED},
    "complete": {S.IN_PROCESS: S.COMPLETED},
    "return_result": {S.COMPLETED: S.RETURNED},
    "withdraw": {
        S.SUBMITTED: S.WITHDRAWN,
        S.RECEIVED: S.WITHDRAWN,
        S.IN_PROCESS: S.WITHDRAWN,
        S.SUPPLEMENT_REQUESTED: S.WITHDRAWN,
        S.FINANCIAL_OBLIGATION: S.WITHDRAWN,
    },
}

Act = Callable[[Dossier, Office], object]
ACTIONS: dict[str, Act] = {
    "submit": lambda d, o: services.dossier_submit(dossier_id=d.pk, applicant=o.applicant),
    "receive": lambda d, o: services.dossier_receive(dossier_id=d.pk, officer=o.reception),
    "reject": lambda d, o: services.dossier_reject(
        dossier_id=d.pk, officer=o.reception, reason="Không thuộc thẩm quyền"
    ),
    "request_supplement_at_intake": lambda d, o: services.dossier_request_supplement_at_intake(
        dossier_id=d.pk, officer=o.reception, items=["Tờ khai"], reason="Thiếu tờ khai"
    ),
    "transfer": lambda d, o: services.dossier_transfer(dossier_id=d.pk, officer=o.reception),
    "hand_over": lambda d, o: services.dossier_hand_over(
        dossier_id=d.pk, officer=o.processing, to_label="Lãnh đạo UBND phường"
    ),
    "request_supplement": lambda d, o: services.dossier_request_supplement(
        dossier_id=d.pk, officer=o.processing, items=["Bản sao CCCD"], reason="Thiếu giấy tờ"
    ),
    "supplement": lambda d, o: services.dossier_supplement(dossier_id=d.pk, actor=o.applicant),
    "request_financial_obligation": lambda d, o: services.dossier_request_financial_obligation(
        dossier_id=d.pk, officer=o.processing, reason="Lệ phí trước bạ", amount=500000
    ),
    "fulfil_financial_obligation": lambda d, o: services.dossier_fulfil_financial_obligation(
        dossier_id=d.pk, actor=o.applicant
    ),
    "apologise": lambda d, o: services.dossier_apologise(
        dossier_id=d.pk,
        officer=o.processing,
        reason="Cần xác minh thêm",
        new_due_at=(d.due_at or timezone.now()) + timedelta(days=3),
    ),
    "stop": lambda d, o: services.dossier_stop(
        dossier_id=d.pk, officer=o.leader, reason="Không đủ điều kiện"
    ),
    "complete": lambda d, o: services.dossier_complete(dossier_id=d.pk, officer=o.leader),
    "return_result": lambda d, o: services.dossier_return_result(
        dossier_id=d.pk, officer=o.reception, delivery="counter"
    ),
    "withdraw": lambda d, o: services.dossier_withdraw(
        dossier_id=d.pk, actor=o.applicant, reason="Không còn nhu cầu"
    ),
}
assert set(ACTIONS) == set(ALLOWED) == set(EVENTS)


def footprint(dossier: Dossier) -> tuple:
    """Everything an action could write."""
    fresh = Dossier.objects.get(pk=dossier.pk)
    return (
        fresh.status,
        fresh.version,
        fresh.code,
        fresh.due_at,
        fresh.paused_at,
        fresh.supplement_count,
        fresh.processing_ended_at,
        fresh.returned_at,
        fresh.withdrawn_at,
        fresh.rejected_at,
        fresh.rescheduled_due_at,
        AuditEvent.objects.count(),
        list(Pause.objects.values_list("pk", "resumed_at")),
        list(HandOver.objects.values_list("pk", "finished_at")),
        Apology.objects.count(),
        Notification.objects.count(),
    )


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("state", Status.values)
def test_every_action_in_every_state(office: Office, state: str, action: str) -> None:
    dossier = office.dossier(state)
    target = ALLOWED[action].get(state)

    if target is None:
        before = footprint(dossier)
        with pytest.raises(InvalidTransitionError):
            ACTIONS[action](dossier, office)
        assert footprint(dossier) == before
        return

    events_before = AuditEvent.objects.count()
    ACTIONS[action](dossier, office)

    dossier.refresh_from_db()
    assert dossier.status == target
    assert dossier.version == 2
    event = AuditEvent.objects.order_by("pk").last()
    assert AuditEvent.objects.count() == events_before + 1
    assert event.event == EVENTS[action]
    assert event.target_id == str(dossier.pk)
    assert (event.data["from"], event.data["to"]) == (state, target)
