"""Readers of the procedures app: organisation data, calendars and the catalogue."""

from procedures.selectors.catalogue import (
    CatalogueFacets,
    CatalogueFilters,
    catalogue_facets,
    procedure_agencies,
    procedure_detail,
    procedure_list,
    procedure_reception_points,
    procedure_terms,
)
from procedures.selectors.organisation import (
    OfficerScope,
    PublicFigures,
    forget_working_calendars,
    officer_scope,
    public_figures,
    unit_with_descendant_ids,
    working_calendar,
)

__all__ = [
    "CatalogueFacets",
    "CatalogueFilters",
    "OfficerScope",
    "PublicFigures",
    "catalogue_facets",
    "forget_working_calendars",
    "officer_scope",
    "procedure_agencies",
    "procedure_detail",
    "procedure_list",
    "procedure_reception_points",
    "procedure_terms",
    "public_figures",
    "unit_with_descendant_ids",
    "working_calendar",
]
