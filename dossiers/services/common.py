"""The shape every dossier action shares (STYLE.md): lock the row, check the actor's
permission, then the state; transition; save; audit in the same transaction; schedule
side effects after commit."""

from decimal import Decimal
from uuid import UUID

from django_fsm import can_proceed

from dossiers import policies, timeliness
from dossiers.errors import (
    ActionDeniedError,
    DossierConflictError,
    InterconnectedParentError,
    InvalidTransitionError,
    ReasonRequiredError,
    SupplementItemsRequiredError,
)
from dossiers.models import OPEN, Dossier, Status
from portal import audit
from portal.models import User
from portal.service_errors import ServiceValidationError, refuse
from procedures.calendar import WorkingCalendar
from procedures.selectors import working_calendar

# Audit event names, per action (past tense, namespaced by app).
EVENTS = {
    "submit": "dossiers.submitted",
    "receive": "dossiers.received",
    "reject": "dossiers.rejected",
    "request_supplement_at_intake": "dossiers.supplement_requested_at_intake",
    "transfer": "dossiers.transferred",
    "hand_over": "dossiers.handed_over",
    "request_supplement": "dossiers.supplement_requested",
    "supplement": "dossiers.supplemented",
    "request_financial_obligation": "dossiers.financial_obligation_requested",
    "fulfil_financial_obligation": "dossiers.financial_obligation_fulfilled",
    "apologise": "dossiers.apologised",
    "stop": "dossiers.stopped",
    "complete": "dossiers.completed",
    "return_result": "dossiers.result_returned",
    "withdraw": "dossiers.withdrawn",
}


def locked(
    *,
    dossier_id: UUID | str,
    actor: User | None,
    action: str,
    expected_version: int | None,
    states: frozenset[str] | None = None,
) -> Dossier:
    """The dossier, locked until the caller's transaction ends, once the actor may do
    `action` and its state allows it: the transition of that name, or, for an action
    that changes no state, one of `states`."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("agency", "reception_point", "unit", "procedure")
        .get(pk=dossier_id)
    )
    if not policies.can(actor, action, dossier):
        raise ActionDeniedError(action)
    if timeliness.is_group_parent(dossier):
        raise InterconnectedParentError
    if expected_version is not None and dossier.version != expected_version:
        raise DossierConflictError(expected_version, dossier.version)
    allowed = can_proceed(getattr(dossier, action)) if states is None else dossier.status in states
    if not allowed:
        raise InvalidTransitionError(dossier, action)
    return dossier


def check_supplement_request(items: list[str], reason: str) -> None:
    """A supplement request (form 02), at intake or during processing, names at least
    one paper and gives a reason."""
    problems: list[ServiceValidationError] = []
    if not [item for item in items if item.strip()]:
        problems.append(SupplementItemsRequiredError())
    if not reason.strip():
        problems.append(ReasonRequiredError())
    refuse(problems)


def record(
    dossier: Dossier,
    *,
    actor: User | None,
    action: str,
    before: str,
    data: dict[str, object] | None = None,
) -> None:
    """Save the transition and write its audit event in the same transaction."""
    dossier.version += 1
    dossier.save()
    audit.record(
        actor=actor,
        event=EVENTS[action],
        target=dossier,
        data={"from": before, "to": dossier.status, **(data or {})},
    )
    if dossier.parent_id is not None:
        follow_children(dossier.parent_id, actor=actor)


def derived_status(statuses: list[str]) -> str:
    """The state of an interconnected dossier, from its members' states: open while any
    member is open, result ready while any result waits, else how the members ended."""
    if any(status in OPEN for status in statuses):
        if all(status == Status.RECEIVED for status in statuses if status in OPEN):
            return Status.RECEIVED
        return Status.IN_PROCESS
    for status in (Status.COMPLETED, Status.RETURNED, Status.STOPPED):
        if status in statuses:
            return status
    return statuses[0] if statuses else Status.RECEIVED


def follow_children(parent_id: UUID | str, *, actor: User | None) -> None:
    """Lock order is child then parent everywhere, so members acted on at once queue up
    here instead of deadlocking."""
    parent = Dossier.objects.select_for_update(of=("self",)).get(pk=parent_id)
    children = list(
        parent.children.values_list("status", "processing_ended_at", "returned_at", "withdrawn_at")
    )
    status = derived_status([child[0] for child in children])
    if status == parent.status:
        return
    before = parent.status
    parent.follow_children(status)
    ended = [child[1] for child in children if child[1] is not None]
    returned = [child[2] for child in children if child[2] is not None]
    parent.processing_ended_at = (
        max(ended)
        if status in (Status.COMPLETED, Status.RETURNED, Status.STOPPED) and ended
        else None
    )
    parent.returned_at = max(returned) if status == Status.RETURNED and returned else None
    withdrawn = [child[3] for child in children if child[3] is not None]
    parent.withdrawn_at = max(withdrawn) if status == Status.WITHDRAWN and withdrawn else None
    parent.version += 1
    parent.save()
    audit.record(
        actor=actor,
        event="dossiers.followed_members",
        target=parent,
        data={"from": before, "to": status},
    )


def calendar_of(dossier: Dossier) -> WorkingCalendar:
    if dossier.reception_point_id is not None:
        return working_calendar(reception_point=dossier.reception_point)
    return working_calendar(unit=dossier.unit)


def time_limit(dossier: Dossier) -> tuple[float, str]:
    """The limit the dossier was received under (its copy of the catalogue terms)."""
    terms = dossier.terms or {}
    limit = terms.get("time_limit", dossier.procedure.time_limit)
    unit = terms.get("time_limit_unit", dossier.procedure.time_limit_unit)
    return float(Decimal(str(limit))), unit
