"""Writers of the procedures app: organisation data and the procedure catalogue."""

from procedures.services.agencies import agencies_import
from procedures.services.catalogue import (
    procedure_record_edit,
    procedures_import,
    procedures_set_status,
    sector_record_edit,
)
from procedures.services.catalogue_import import catalogue_import
from procedures.services.officers import officers_import
from procedures.services.reception_points import reception_points_import
from procedures.services.units import units_import

__all__ = [
    "agencies_import",
    "catalogue_import",
    "officers_import",
    "procedure_record_edit",
    "procedures_import",
    "procedures_set_status",
    "reception_points_import",
    "sector_record_edit",
    "units_import",
]
