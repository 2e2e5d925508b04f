"""Readers of the organisation data, and the scope an officer's assignments give."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone

from portal.models import User
from portal.roles import Role
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint


@dataclass(frozen=True)
class PublicFigures:
    provinces: int
    communes: int
    agencies: int
    reception_points: int


def public_figures() -> PublicFigures:
    today = timezone.localdate()
    units = AdministrativeUnit.objects.valid_on(today)
    return PublicFigures(
        provinces=units.filter(level=AdministrativeUnit.Level.PROVINCE).count(),
        communes=units.filter(level=AdministrativeUnit.Level.COMMUNE).count(),
        agencies=Agency.objects.valid_on(today).count(),
        reception_points=ReceptionPoint.objects.valid_on(today).count(),
    )


def unit_with_descendant_ids(unit_ids: Iterable[int]) -> set[int]:
    """The units and everything below them, closed ones included (old dossiers)."""
    found = set(unit_ids)
    frontier = set(found)
    # The tree is at most three levels deep: this loops at most twice more.
    while frontier:
        frontier = (
            set(
                AdministrativeUnit.objects.filter(parent_id__in=frontier).values_list(
                    "pk", flat=True
                )
            )
            - found
        )
        found |= frontier
    return found


@dataclass(frozen=True)
class OfficerScope:
    """What one role of an officer covers. Dossier selectors filter by these ids."""

    unit_ids: frozenset[int]
    agency_ids: frozenset[int]
    reception_point_ids: frozenset[int]

    @property
    def is_empty(self) -> bool:
        return not (self.unit_ids or self.agency_ids or self.reception_point_ids)


def officer_scope(*, user: User, role: Role) -> OfficerScope:
    """A unit assignment covers the unit with its descendants and their agencies and
    reception points; an agency or reception point assignment covers only itself."""
    if not user.is_authenticated or not user.is_active:
        return OfficerScope(frozenset(), frozenset(), frozenset())
    assignments = list(
        Assignment.objects.filter(user=user, role=role).values_list(
            "unit_id", "agency_id", "reception_point_id"
        )
    )
    unit_ids = unit_with_descendant_ids(u for u, _, _ in assignments if u)
    agency_ids = {a for _, a, _ in assignments if a}
    point_ids = {p for _, _, p in assignments if p}
    if unit_ids:
        agency_ids |= set(Agency.objects.filter(unit_id__in=unit_ids).values_list("pk", flat=True))
        point_ids |= set(
            ReceptionPoint.objects.filter(unit_id__in=unit_ids).values_list("pk", flat=True)
        )
    return OfficerScope(frozenset(unit_ids), frozenset(agency_ids), frozenset(point_ids))
