"""Readers of dossiers. Every query starts from what the actor may see."""

from datetime import datetime

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from dossiers import timeliness
from dossiers.models import Dossier, HandOver, Status
from dossiers.services.common import calendar_of
from portal.models import User
from portal.roles import Role
from procedures.selectors import officer_scopes
from procedures.selectors.scope import AmongValues


def handed_over_to(agencies: Q) -> Q:
    """Dossiers whose open step (form 05) sits with one of these agencies (`agencies`
    filters a hand-over's `to_agency_id`) for a coordinated step: they see it until they
    hand it on. Their own agency's dossiers they see anyway, so the step's agency is not
    compared with the dossier's: the hand-overs are read once, not once per dossier."""
    return Q(
        AmongValues(
            "pk",
            HandOver.objects.filter(agencies, finished_at__isnull=True)
            .order_by()
            .values("dossier_id"),
        )
    )


def processing_scope(user: User) -> Q | None:
    """What a processing officer or leader works on: the dossiers of their agencies and
    those handed over to them; None without such a role."""
    scopes = officer_scopes(user)
    found = [
        scope
        for role in (Role.PROCESSING_OFFICER, Role.UNIT_LEADER)
        if (scope := scopes.get(role)) is not None and scope.agency_ids
    ]
    if not found:
        return None
    dossiers, hand_overs = Q(), Q()
    for scope in found:
        dossiers |= scope.agency_filter("agency_id")
        hand_overs |= scope.agency_filter("to_agency_id")
    return dossiers | handed_over_to(hand_overs)


def dossiers_visible_to(user: User | None) -> QuerySet[Dossier]:
    """An applicant sees their own dossiers; a reception officer those of their reception
    points; processing officers and leaders those of their agencies, and those handed to
    their agency for a coordinated step while it lasts; a manager those of their units with
    all descendants. Nobody sees another unit's dossiers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    scopes = officer_scopes(user)
    # Each branch is served by its own index (reception point, agency, hand-over, unit);
    # the scope's subtrees stay subqueries (procedures.selectors.scope).
    officers = Q()
    reception = scopes.get(Role.RECEPTION_OFFICER)
    if reception is not None and reception.reception_point_ids:
        officers |= reception.reception_point_filter("reception_point_id")
    processing = processing_scope(user)
    if processing is not None:
        officers |= processing
    managed = scopes.get(Role.MANAGER)
    if managed is not None and managed.unit_ids:
        officers |= managed.unit_filter("unit_id")
    # A draft is the applicant's alone until it is sent.
    visible = Q(applicant=user)
    if officers:
        visible |= officers & ~Q(status=Status.DRAFT)
    return Dossier.objects.filter(visible)


def dossier_timeliness(dossier: Dossier, *, now: datetime | None = None) -> str | None:
    """Trước hạn / đúng hạn / quá hạn once processing ended; trong hạn / sắp đến hạn / quá
    hạn while it runs (a paused dossier keeps the value it had when paused). Against the
    legal due time: an apology's new date does not count (RULES.md §4–5)."""
    if dossier.due_at is None:
        return None
    if dossier.processing_ended_at is not None:
        return timeliness.resolved_timeliness(dossier)
    return timeliness.timeliness_in_progress(
        calendar_of(dossier),
        timeliness.clock_now(dossier, now or timezone.now()),
        dossier.due_at,
        settings.DUE_SOON_WORKING_DAYS,
    )
