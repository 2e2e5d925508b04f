"""Which dossiers and reception points an officer may print forms of."""

from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from dossiers import policies
from dossiers.models import Dossier
from dossiers.selectors import dossiers_visible_to
from portal.models import User
from portal.roles import Role
from procedures.models import Agency, ReceptionPoint
from procedures.selectors import officer_scope, unit_with_descendant_ids


def dossier_for_forms(*, user: User, dossier_id: UUID | str) -> Dossier:
    """A dossier the officer sees and works on in some capacity. Being its applicant is
    not enough: citizens get their papers from the counter, not from the workspace.
    Raises Dossier.DoesNotExist (unknown or unseen) or PermissionDenied (seen, but no
    officer's capacity, e.g. a manager)."""
    dossier = (
        dossiers_visible_to(user)
        .select_related(
            "agency__unit",
            "agency__parent",
            "unit",
            "procedure",
            "reception_point__unit",
            "received_by",
        )
        .get(pk=dossier_id)
    )
    if not policies.capacities(user, dossier) - {policies.APPLICANT}:
        raise PermissionDenied
    return dossier


def may_reissue_secret(user: User, dossier: Dossier) -> bool:
    """Only the reception point that issued the receipt gives it a new lookup secret."""
    return policies.RECEPTION in policies.capacities(user, dossier)


def register_points_for(user: User) -> QuerySet[ReceptionPoint]:
    """Reception points whose register (form 06) the officer may print: their own as a
    reception officer, and those inside the units they lead or manage."""
    reception = officer_scope(user=user, role=Role.RECEPTION_OFFICER)
    leader = officer_scope(user=user, role=Role.UNIT_LEADER)
    manager = officer_scope(user=user, role=Role.MANAGER)
    leader_agency_units = Agency.objects.filter(pk__in=leader.agency_ids).values_list(
        "unit_id", flat=True
    )
    units = (
        set(manager.unit_ids) | set(leader.unit_ids) | unit_with_descendant_ids(leader_agency_units)
    )
    covered = Q(pk__in=reception.reception_point_ids) | Q(unit_id__in=units)
    return ReceptionPoint.objects.filter(covered).select_related("unit").order_by("name", "pk")
