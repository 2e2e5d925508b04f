from procedures.models.calendar import CalendarOverride
from procedures.models.organisation import (
    AdministrativeUnit,
    Agency,
    Assignment,
    ReceptionPoint,
    ValidityPeriod,
)

__all__ = [
    "AdministrativeUnit",
    "Agency",
    "Assignment",
    "CalendarOverride",
    "ReceptionPoint",
    "ValidityPeriod",
]
