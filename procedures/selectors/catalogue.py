"""Readers of the public procedure catalogue. Every query is bounded: a page of the list
costs the same number of queries whatever the size of the catalogue."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from procedures.models import (
    AdministrativeUnit,
    Agency,
    Fee,
    InterconnectionGroup,
    InterconnectionMember,
    Procedure,
    ReceptionPoint,
    Sector,
)
from procedures.search import query_terms

HUNDREDTHS = Decimal("0.01")


@dataclass(frozen=True)
class CatalogueFilters:
    query: str = ""
    sector: str = ""  # Sector.code
    level: str = ""
    online_level: str = ""
    agency: str = ""  # Agency.code


def _today(day: date | None) -> date:
    return day or timezone.localdate()


def procedure_list(
    *, filters: CatalogueFilters = CatalogueFilters(), day: date | None = None
) -> QuerySet[Procedure]:
    """Published procedures in force, filtered; names that start with the query first."""
    procedures = Procedure.objects.public(_today(day)).select_related("sector")
    terms = query_terms(filters.query)
    for term in terms:
        procedures = procedures.filter(search_text__contains=term)
    if filters.sector:
        procedures = procedures.filter(sector__code=filters.sector)
    if filters.level:
        procedures = procedures.filter(level=filters.level)
    if filters.online_level:
        procedures = procedures.filter(online_level=filters.online_level)
    if filters.agency:
        procedures = procedures.filter(agencies__code=filters.agency)
    fee_total = (
        Fee.objects.filter(procedure=OuterRef("pk"))
        .values("procedure")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    procedures = procedures.annotate(
        fee_total=Coalesce(Subquery(fee_total), Value(0), output_field=IntegerField())
    )
    if not terms:
        return procedures.order_by("sort_name", "code")
    phrase = " ".join(terms)
    return procedures.annotate(
        rank=Case(
            When(Q(code=phrase) | Q(sort_name__startswith=phrase), then=Value(0)),
            When(sort_name__contains=phrase, then=Value(1)),
            default=Value(2),
            output_field=IntegerField(),
        )
    ).order_by("rank", "sort_name", "code")


def procedure_detail(*, code: str, day: date | None = None) -> Procedure | None:
    """One published procedure with everything its page shows, in six queries."""
    return (
        Procedure.objects.public(_today(day))
        .select_related("sector")
        .prefetch_related(
            "components",
            "fees",
            "steps",
            Prefetch(
                "interconnection_groups",
                queryset=InterconnectionGroup.objects.prefetch_related(
                    Prefetch(
                        "members",
                        queryset=InterconnectionMember.objects.select_related("procedure"),
                    )
                ),
            ),
        )
        .filter(code=code)
        .first()
    )


def procedure_agencies(*, procedure: Procedure, day: date | None = None) -> QuerySet[Agency]:
    return procedure.agencies.valid_on(_today(day)).order_by("name")


def procedure_reception_points(
    *, procedure: Procedure, day: date | None = None
) -> QuerySet[ReceptionPoint]:
    """Where to file: the open reception points serving an agency that settles it."""
    today = _today(day)
    agencies = procedure.agencies.valid_on(today)
    return (
        ReceptionPoint.objects.valid_on(today)
        .filter(agencies__in=agencies)
        .distinct()
        .select_related("unit")
        .order_by("kind", "unit__name", "name")
    )


@dataclass(frozen=True)
class CatalogueFacets:
    sectors: list[tuple[str, str, int]]  # code, name, published procedures
    levels: list[str]
    provincial_agencies: list[tuple[str, str]]
    commune_agencies: list[tuple[str, str]]


def catalogue_facets(*, day: date | None = None) -> CatalogueFacets:
    """The choices of the filter form: only what leads to at least one procedure."""
    today = _today(day)
    public = Procedure.objects.public(today)
    sectors = (
        Sector.objects.filter(procedures__in=public)
        .annotate(count=Count("procedures"))
        .order_by("code")
        .values_list("code", "name", "count")
    )
    agencies = (
        Agency.objects.valid_on(today)
        .filter(pk__in=public.values("agencies"))
        .order_by("name")
        .values_list("code", "name", "unit__level")
    )
    provincial: list[tuple[str, str]] = []
    communal: list[tuple[str, str]] = []
    for code, name, level in agencies:
        commune = level == AdministrativeUnit.Level.COMMUNE
        (communal if commune else provincial).append((code, name))
    levels = set(public.values_list("level", flat=True).distinct())
    order = AdministrativeUnit.Level.values
    return CatalogueFacets(list(sectors), sorted(levels, key=order.index), provincial, communal)


def procedure_terms(procedure: Procedure) -> dict[str, Any]:
    """What applies to a dossier received now, as plain data the dossier keeps: later
    edits of the catalogue never change a dossier already received (RULES.md §2)."""
    return {
        "code": procedure.code,
        "name": procedure.name,
        "version": procedure.version,
        "sector": procedure.sector.name,
        "level": procedure.level,
        "time_limit": str(Decimal(procedure.time_limit).quantize(HUNDREDTHS)),
        "time_limit_unit": procedure.time_limit_unit,
        "online_level": procedure.online_level,
        "legacy_level": procedure.legacy_level,
        "result_paper": procedure.result_paper,
        "result_electronic": procedure.result_electronic,
        "postal_intake": procedure.postal_intake,
        "postal_return": procedure.postal_return,
        "components": [
            {
                "id": component.pk,
                "name": component.name,
                "copy_type": component.copy_type,
                "count": component.count,
                "required": component.required,
            }
            for component in procedure.components.all()
        ],
        "fees": [
            {"name": fee.name, "kind": fee.kind, "amount": fee.amount}
            for fee in procedure.fees.all()
        ],
        "steps": [
            {
                "name": step.name,
                "responsible": step.responsible,
                "hours": str(Decimal(step.budget_hours).quantize(HUNDREDTHS)),
            }
            for step in procedure.steps.all()
        ],
    }
