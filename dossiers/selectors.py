"""Readers of dossiers. Every query starts from what the actor may see."""

from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from dossiers.models import Dossier, HandOver, Status
from dossiers.services.common import calendar_of
from portal.models import User
from portal.roles import Role
from procedures import deadlines
from procedures.selectors import officer_scope


def coordinated_by(agency_ids: Iterable[int]) -> Exists:
    """Dossiers whose open step (form 05) sits with one of these agencies for a coordinated
    step: they see it until they hand it on."""
    return Exists(
        HandOver.objects.filter(
            dossier=OuterRef("pk"), finished_at__isnull=True, to_agency_id__in=list(agency_ids)
        ).exclude(to_agency_id=OuterRef("agency_id"))
    )


def dossiers_visible_to(user: User | None) -> QuerySet[Dossier]:
    """An applicant sees their own dossiers; a reception officer those of their reception
    points; processing officers and leaders those of their agencies, and those handed to
    their agency for a coordinated step while it lasts; a manager those of their units with
    all descendants. Nobody sees another unit's dossiers."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Dossier.objects.none()
    officers = Q()
    reception = officer_scope(user=user, role=Role.RECEPTION_OFFICER)
    if reception.reception_point_ids:
        officers |= Q(reception_point_id__in=reception.reception_point_ids)
    agency_ids: set[int] = set()
    for role in (Role.PROCESSING_OFFICER, Role.UNIT_LEADER):
        agency_ids |= officer_scope(user=user, role=role).agency_ids
    if agency_ids:
        officers |= Q(agency_id__in=agency_ids) | Q(coordinated_by(agency_ids))
    managed = officer_scope(user=user, role=Role.MANAGER)
    if managed.unit_ids:
        officers |= Q(unit_id__in=managed.unit_ids)
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
        return deadlines.timeliness_when_ended(
            dossier.processing_ended_at, dossier.due_at, dossier.supplement_count
        )
    at = dossier.paused_at or now or timezone.now()
    return deadlines.timeliness_in_progress(
        calendar_of(dossier), at, dossier.due_at, settings.DUE_SOON_WORKING_DAYS
    )
