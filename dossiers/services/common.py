"""The shape every dossier action shares (STYLE.md): lock the row, check the actor's
permission, then the state; transition; save; audit in the same transaction; schedule
side effects after commit."""

from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django_fsm import can_proceed

from dossiers import policies
from dossiers.errors import DossierConflictError, InvalidTransitionError
from dossiers.models import Dossier
from portal import audit
from portal.models import User
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
    *, dossier_id: UUID | str, actor: User | None, action: str, expected_version: int | None
) -> Dossier:
    """The dossier, locked until the caller's transaction ends, once the actor may do
    `action` and its state allows it."""
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("agency", "reception_point", "unit", "procedure")
        .get(pk=dossier_id)
    )
    if not policies.can(actor, action, dossier):
        raise PermissionDenied(f"you may not {action.replace('_', ' ')} this dossier")
    if expected_version is not None and dossier.version != expected_version:
        raise DossierConflictError(expected_version, dossier.version)
    if not can_proceed(getattr(dossier, action)):
        raise InvalidTransitionError(dossier, action)
    return dossier


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
