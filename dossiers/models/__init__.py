from dossiers.models.dossier import (
    MAX_VND,
    OPEN,
    PAUSED,
    SYNC_CODES,
    TERMINAL,
    Channel,
    DeadlineAlert,
    Dossier,
    ResultDelivery,
    Status,
    Timeliness,
)
from dossiers.models.notifications import Notification
from dossiers.models.payments import Payment
from dossiers.models.records import (
    Apology,
    Attachment,
    CodeSequence,
    Evaluation,
    HandOver,
    Pause,
)

__all__ = [
    "MAX_VND",
    "OPEN",
    "PAUSED",
    "SYNC_CODES",
    "TERMINAL",
    "Apology",
    "Attachment",
    "Channel",
    "CodeSequence",
    "DeadlineAlert",
    "Dossier",
    "Evaluation",
    "HandOver",
    "Notification",
    "Pause",
    "Payment",
    "ResultDelivery",
    "Status",
    "Timeliness",
]
