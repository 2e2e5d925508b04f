"""Writers of the procedures app: organisation data and the procedure catalogue."""

from procedures.services.catalogue import (
    procedure_record_edit,
    procedures_import,
    procedures_set_status,
    sector_record_edit,
)
from procedures.services.units import units_import

__all__ = [
    "procedure_record_edit",
    "procedures_import",
    "procedures_set_status",
    "sector_record_edit",
    "units_import",
]
