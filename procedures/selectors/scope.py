"""The scope an officer's assignments give (RULES.md §1), resolved once per request and
kept in the shared cache per officer, and the unit subtrees behind it, as SQL.

The cached scopes carry a version: every write of an assignment, a unit's parent or the
unit of an agency or reception point changes it (`forget_officer_scopes`, called by the
services that write them and, for single saves from the admin or elsewhere, by the model
signals connected in procedures.apps), so no officer keeps a scope they lost."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from django.db.models import BooleanField, Expression, F, Q, QuerySet, Subquery
from django.db.models.expressions import Combinable

from portal.models import User
from portal.request_memo import forget_request_memo, request_memo
from portal.roles import Role
from portal.versioned_cache import VersionedCache
from procedures.models import AdministrativeUnit, Agency, Assignment, ReceptionPoint

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models.sql.compiler import SQLCompiler

_SCOPES = VersionedCache("procedures:scope")
# Bounds how long a scope could outlive a write that bypassed every service (raw SQL).
_SCOPE_SECONDS = 3600


def units_under(roots: Iterable[int] | QuerySet[Any]) -> QuerySet[AdministrativeUnit]:
    """The units `roots` and everything below them, closed ones included (old dossiers),
    as one query: the tree is at most three levels deep (province, district, commune)."""
    if not isinstance(roots, QuerySet):
        roots = list(roots)
    return AdministrativeUnit.objects.filter(
        Q(pk__in=roots) | Q(parent_id__in=roots) | Q(parent__parent_id__in=roots)
    ).order_by()


def unit_with_descendant_ids(unit_ids: Iterable[int]) -> frozenset[int]:
    """The units and everything below them, closed ones included (old dossiers)."""
    roots = frozenset(unit_ids)
    if not roots:
        return frozenset()
    memo = request_memo()
    key = ("units_under", roots)
    if memo is not None and key in memo:
        return cast(frozenset[int], memo[key])
    found = frozenset(units_under(roots).values_list("pk", flat=True))
    if memo is not None:
        memo[key] = found
    return found


@dataclass(frozen=True)
class OfficerScope:
    """What one role of an officer covers. `unit_roots`, `agency_roots` and
    `reception_point_roots` are the assignments themselves; the `*_ids` are what they
    cover. Selectors of many dossiers filter with the `*_filter` expressions, which keep
    a unit subtree in SQL rather than send its hundreds of ids."""

    unit_ids: frozenset[int]
    agency_ids: frozenset[int]
    reception_point_ids: frozenset[int]
    unit_roots: frozenset[int] = frozenset()
    agency_roots: frozenset[int] = frozenset()
    reception_point_roots: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        return not (self.unit_ids or self.agency_ids or self.reception_point_ids)

    def units(self) -> QuerySet[AdministrativeUnit]:
        return units_under(self.unit_roots)

    def agencies(self) -> QuerySet[Agency]:
        return Agency.objects.filter(
            Q(pk__in=self.agency_roots) | Q(unit__in=self.units().values("pk"))
        )

    def reception_points(self) -> QuerySet[ReceptionPoint]:
        return ReceptionPoint.objects.filter(
            Q(pk__in=self.reception_point_roots) | Q(unit__in=self.units().values("pk"))
        )

    def unit_filter(self, field: str) -> Q:
        """`field` (a unit id) within the scope's units; matches nothing when empty."""
        # A unit subtree holds most dossiers of its units: a hashed list checked on the
        # rows another index finds (open, overdue) beats an index scan of the subtree.
        if not self.unit_roots:
            return Q(pk__in=[])
        return Q(**{f"{field}__in": self.units().values("pk")})

    def agency_filter(self, field: str) -> Q:
        return _within(field, self.agency_ids, self.unit_roots and self.agencies())

    def reception_point_filter(self, field: str) -> Q:
        return _within(field, self.reception_point_ids, self.unit_roots and self.reception_points())


def _within(field: str, ids: frozenset[int], subtree: QuerySet[Any] | frozenset[int]) -> Q:
    # A unit assignment covers a subtree, kept in SQL; without one the few ids assigned
    # are the whole list, sent as ids, which the planner estimates best.
    if isinstance(subtree, QuerySet):
        return Q(AmongValues(field, subtree.order_by().values("pk")))
    return Q(**{f"{field}__in": sorted(ids)}) if ids else Q(pk__in=[])


class AmongValues(Expression):
    """`field` is one of the values a subquery returns, the subquery run once.

    On PostgreSQL `field = ANY(ARRAY(subquery))`: the array is an init plan, so the
    condition can drive an index scan even inside an OR of branches (a dossier's agency,
    or its open hand-over), where `IN (subquery)` leaves only a scan of every row."""

    conditional = True

    def __init__(self, field: str, values: QuerySet[Any]) -> None:
        super().__init__(output_field=BooleanField())
        # An F and a Subquery until resolve_expression() swaps in the nodes it compiles.
        self.column: Any = F(field)
        self.values: Any = Subquery(values)

    def get_source_expressions(self) -> list[Any]:
        return [self.column, self.values]

    def set_source_expressions(self, expressions: Sequence[Combinable | Expression]) -> None:
        self.column, self.values = expressions

    def as_sql(
        self,
        compiler: "SQLCompiler",
        connection: "BaseDatabaseWrapper",
        template: str = "%s IN %s",
    ) -> tuple[str, tuple[Any, ...]]:
        field_sql, field_params = compiler.compile(self.column)
        values_sql, values_params = compiler.compile(self.values)
        return template % (field_sql, values_sql), (*field_params, *values_params)

    def as_postgresql(
        self, compiler: "SQLCompiler", connection: "BaseDatabaseWrapper"
    ) -> tuple[str, tuple[Any, ...]]:
        return self.as_sql(compiler, connection, template="%s = ANY(ARRAY%s)")


_NOTHING = OfficerScope(frozenset(), frozenset(), frozenset())


def forget_officer_scopes() -> None:
    """Call after writing assignments, a unit's parent, or an agency's or reception
    point's unit (again once the transaction commits: portal.versioned_cache)."""
    _SCOPES.forget()
    forget_request_memo()


def officer_scope(*, user: User, role: Role) -> OfficerScope:
    """A unit assignment covers the unit with its descendants and their agencies and
    reception points; an agency or reception point assignment covers only itself."""
    return officer_scopes(user).get(Role(role), _NOTHING)


def officer_scopes(user: User) -> dict[Role, OfficerScope]:
    """Every role of the officer with its scope: once per request, from the shared cache
    while no assignment changed. An inactive account has none."""
    if not user.is_authenticated or not user.is_active:
        return {}
    memo = request_memo()
    memo_key = ("officer_scopes", user.pk)
    if memo is not None and memo_key in memo:
        return cast(dict[Role, OfficerScope], memo[memo_key])
    scopes = _cached_scopes(user)
    if memo is not None:
        memo[memo_key] = scopes
    return scopes


def _cached_scopes(user: User) -> dict[Role, OfficerScope]:
    # The layout's own version in the key: a deploy that changes OfficerScope never
    # unpickles what the previous code stored.
    return _SCOPES.get_or_compute(
        f"procedures:scope:1:{user.pk}", lambda: _resolve(user), timeout=_SCOPE_SECONDS
    )


def _resolve(user: User) -> dict[Role, OfficerScope]:
    rows = Assignment.objects.filter(user=user).values_list(
        "role", "unit_id", "agency_id", "reception_point_id"
    )
    roots: dict[Role, tuple[set[int], set[int], set[int]]] = {}
    for role, unit_id, agency_id, point_id in rows:
        units, agencies, points = roots.setdefault(Role(role), (set(), set(), set()))
        for found, value in ((units, unit_id), (agencies, agency_id), (points, point_id)):
            if value is not None:
                found.add(value)
    return {role: _scope_of(*found) for role, found in roots.items()}


def _scope_of(unit_roots: set[int], agency_roots: set[int], point_roots: set[int]) -> OfficerScope:
    scope = OfficerScope(
        unit_ids=frozenset(),
        agency_ids=frozenset(agency_roots),
        reception_point_ids=frozenset(point_roots),
        unit_roots=frozenset(unit_roots),
        agency_roots=frozenset(agency_roots),
        reception_point_roots=frozenset(point_roots),
    )
    if not unit_roots:
        return scope
    return OfficerScope(
        unit_ids=frozenset(scope.units().values_list("pk", flat=True)),
        agency_ids=frozenset(scope.agencies().values_list("pk", flat=True)),
        reception_point_ids=frozenset(scope.reception_points().values_list("pk", flat=True)),
        unit_roots=scope.unit_roots,
        agency_roots=scope.agency_roots,
        reception_point_roots=scope.reception_point_roots,
    )


# The signal receivers (procedures.apps) take any arguments.
def forget_officer_scopes_on_write(*args: object, **kwargs: object) -> None:
    forget_officer_scopes()
