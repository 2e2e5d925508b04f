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
    PublicFigures,
    forget_working_calendars,
    public_figures,
    working_calendar,
)
from procedures.selectors.scope import (
    OfficerScope,
    forget_officer_scopes,
    officer_scope,
    officer_scopes,
    unit_with_descendant_ids,
    units_under,
)

__all__ = [
    "CatalogueFacets",
    "CatalogueFilters",
    "OfficerScope",
    "PublicFigures",
    "catalogue_facets",
    "forget_officer_scopes",
    "forget_working_calendars",
    "officer_scope",
    "officer_scopes",
    "procedure_agencies",
    "procedure_detail",
    "procedure_list",
    "procedure_reception_points",
    "procedure_terms",
    "public_figures",
    "unit_with_descendant_ids",
    "units_under",
    "working_calendar",
]
