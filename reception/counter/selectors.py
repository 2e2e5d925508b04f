"""What a reception officer sees at the counter, always within their reception points."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import Http404

from dossiers.models import Dossier, Status
from dossiers.selectors import dossiers_visible_to
from portal.models import User
from portal.roles import Role
from procedures.models import Agency, Procedure, ReceptionPoint
from procedures.selectors import CatalogueFilters, officer_scope, procedure_list
from reception.queue.selectors import points_served_by

PAGE = 50


def counter_points(*, user: User) -> QuerySet[ReceptionPoint]:
    """The reception points, open today, where `user` works a counter."""
    return points_served_by(user).select_related("unit").order_by("name")


def counter_point(*, user: User, point_id: int | str | None) -> ReceptionPoint:
    """The point chosen (or the only one), 404 outside the officer's points."""
    points = counter_points(user=user)
    if point_id in (None, ""):
        first = points[:2]
        if len(first) == 1:
            return first[0]
        raise Http404("choose a reception point")
    try:
        return points.get(pk=int(point_id))
    except (ValueError, ReceptionPoint.DoesNotExist) as error:
        raise Http404("not one of your reception points") from error


def counter_procedures(*, point: ReceptionPoint, query: str = "") -> QuerySet[Procedure]:
    """Published procedures one of the point's agencies settles, matching the query as the
    public catalogue does (no diacritics needed, any word order)."""
    agencies = point.agencies.all()
    return (
        procedure_list(filters=CatalogueFilters(query=query))
        .filter(agencies__in=agencies)
        .distinct()
    )


def counter_agencies(*, point: ReceptionPoint, procedure: Procedure) -> QuerySet[Agency]:
    return point.agencies.filter(pk__in=procedure.agencies.values("pk")).order_by("name")


def awaiting_reception(*, user: User, point: ReceptionPoint) -> QuerySet[Dossier]:
    """Online and postal dossiers sent and not yet received at the point, oldest first."""
    return (
        dossiers_visible_to(user)
        .filter(reception_point=point, status=Status.SUBMITTED)
        .exclude(channel="counter")
        .select_related("procedure", "agency")
        .order_by("submitted_at", "reference")
    )


def awaiting_transfer(*, user: User, point: ReceptionPoint) -> QuerySet[Dossier]:
    """Dossiers received at the point and not yet handed to the competent agency."""
    return (
        dossiers_visible_to(user)
        .filter(reception_point=point, status=Status.RECEIVED)
        .select_related("procedure", "agency")
        .order_by("due_at", "code")
    )


def awaiting_return(*, user: User, point: ReceptionPoint, code: str = "") -> QuerySet[Dossier]:
    """Results ready for the applicant at the point, the earliest due first."""
    dossiers = (
        dossiers_visible_to(user)
        .filter(reception_point=point, status=Status.COMPLETED)
        .select_related("procedure", "agency")
        .order_by("due_at", "code")
    )
    if code:
        dossiers = dossiers.filter(code__iexact=code.strip())
    return dossiers


def counter_dossier(*, user: User, dossier_id: UUID | str) -> Dossier:
    """A dossier of one of the officer's reception points, 404 otherwise."""
    points = officer_scope(user=user, role=Role.RECEPTION_OFFICER).reception_point_ids
    try:
        return (
            dossiers_visible_to(user)
            .select_related("procedure", "agency", "reception_point", "received_by")
            .get(pk=dossier_id, reception_point_id__in=points)
        )
    except (Dossier.DoesNotExist, ValueError) as error:
        raise Http404("no such dossier at your counters") from error


def code_from(text: str) -> str:
    """The dossier code typed, or read from the receipt's QR (the lookup address carries
    `code=` and the lookup secret, which is dropped here)."""
    from urllib.parse import parse_qs, urlsplit

    text = text.strip()
    if "code=" in text:
        text = (parse_qs(urlsplit(text).query).get("code") or [""])[0]
    return text.strip()[:48]


def find_by_code(*, user: User, code: str) -> Dossier | None:
    """A dossier at the officer's points by its code."""
    if not code:
        return None
    points = officer_scope(user=user, role=Role.RECEPTION_OFFICER).reception_point_ids
    return (
        dossiers_visible_to(user)
        .filter(reception_point_id__in=points, code__iexact=code)
        .select_related("procedure")
        .first()
    )
