from procedures.models.calendar import CalendarOverride
from procedures.models.catalogue import (
    Component,
    CopyType,
    Fee,
    InterconnectionGroup,
    InterconnectionMember,
    OnlineLevel,
    Procedure,
    Sector,
    Step,
)
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
    "Component",
    "CopyType",
    "Fee",
    "InterconnectionGroup",
    "InterconnectionMember",
    "OnlineLevel",
    "Procedure",
    "ReceptionPoint",
    "Sector",
    "Step",
    "ValidityPeriod",
]
