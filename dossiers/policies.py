"""Who may do what to a dossier (RULES.md §1): checked by every service before the state."""

from dossiers.models import Dossier
from portal.models import User
from portal.roles import Role
from procedures.selectors import officer_scope

APPLICANT = "applicant"
RECEPTION = "reception"  # reception officer of the dossier's reception point
PROCESSING = "processing"  # processing officer or leader of the competent agency
LEADER = "leader"  # leader of the competent agency: approves and signs
POSTAL = "postal"  # the postal partner serving the reception point, for postal dossiers
# An agency the dossier was handed to for a coordinated step (cơ quan phối hợp, form 05):
# while that step is open its officers see the dossier and hand it on, nothing else.
COORDINATING = "coordinating"

ALLOWED: dict[str, frozenset[str]] = {
    "submit": frozenset({APPLICANT}),
    "receive": frozenset({RECEPTION}),
    "reject": frozenset({RECEPTION}),
    "request_supplement_at_intake": frozenset({RECEPTION}),
    "transfer": frozenset({RECEPTION}),
    "hand_over": frozenset({PROCESSING, COORDINATING}),
    "request_supplement": frozenset({PROCESSING}),
    "supplement": frozenset({APPLICANT, RECEPTION, PROCESSING}),
    "request_financial_obligation": frozenset({PROCESSING}),
    "fulfil_financial_obligation": frozenset({APPLICANT, RECEPTION, PROCESSING}),
    "apologise": frozenset({PROCESSING}),
    "stop": frozenset({LEADER}),
    "complete": frozenset({LEADER}),
    "return_result": frozenset({RECEPTION, POSTAL}),
    # On the applicant's request: online by the applicant, on paper at the counter.
    "withdraw": frozenset({APPLICANT, RECEPTION}),
    "view": frozenset({APPLICANT, RECEPTION, PROCESSING, POSTAL, COORDINATING}),
    # Phân công: an officer takes an unassigned dossier of the agency; a leader assigns it
    # to anyone of the agency.
    "assign": frozenset({PROCESSING}),
    "assign_others": frozenset({LEADER}),
    # The signed result: its electronic copy, or the paper one ready at the reception point.
    "attach_result": frozenset({PROCESSING}),
    "mark_result_ready": frozenset({PROCESSING}),
    "submit_by_post": frozenset({POSTAL}),
}


def capacities(user: User | None, dossier: Dossier) -> set[str]:
    """In which capacities `user` stands towards `dossier`."""
    found: set[str] = set()
    if user is None or not user.is_authenticated or not user.is_active:
        return found
    if dossier.applicant_id is not None and dossier.applicant_id == user.pk:
        found.add(APPLICANT)
    if (
        dossier.reception_point_id
        in officer_scope(user=user, role=Role.RECEPTION_OFFICER).reception_point_ids
    ):
        found.add(RECEPTION)
    if dossier.agency_id in officer_scope(user=user, role=Role.PROCESSING_OFFICER).agency_ids:
        found.add(PROCESSING)
    leading = officer_scope(user=user, role=Role.UNIT_LEADER).agency_ids
    if dossier.agency_id in leading:
        found |= {PROCESSING, LEADER}
    agencies = leading | officer_scope(user=user, role=Role.PROCESSING_OFFICER).agency_ids
    if (
        PROCESSING not in found
        and agencies
        and dossier.pk is not None
        and dossier.hand_overs.filter(finished_at__isnull=True, to_agency_id__in=agencies)
        .exclude(to_agency_id=dossier.agency_id)
        .exists()
    ):
        found.add(COORDINATING)
    # Decision 45/2016: the partner carries dossiers in and results out, nothing else.
    by_post = dossier.channel == "postal" or dossier.result_delivery == "postal"
    if (
        by_post
        and dossier.reception_point_id
        in officer_scope(user=user, role=Role.POSTAL_PARTNER).reception_point_ids
    ):
        found.add(POSTAL)
    return found


def can(user: User | None, action: str, dossier: Dossier) -> bool:
    return bool(capacities(user, dossier) & ALLOWED[action])
