"""The reception app's models: the postal partner (postal.py) and the take-a-number
queue (queue.py)."""

from reception.models.postal import (
    SCOPES,
    IdempotencyRecord,
    PartnerClient,
    PartnerKey,
    Shipment,
    ShipmentEvent,
    WebhookCursor,
    WebhookDelivery,
    default_requests_per_minute,
)
from reception.models.queue import QueueCounter, QueueLine, QueueTicket, TicketSequence

__all__ = [
    "SCOPES",
    "IdempotencyRecord",
    "PartnerClient",
    "PartnerKey",
    "QueueCounter",
    "QueueLine",
    "QueueTicket",
    "Shipment",
    "ShipmentEvent",
    "TicketSequence",
    "WebhookCursor",
    "WebhookDelivery",
    # Named by migration 0004 as the partners' default rate.
    "default_requests_per_minute",
]
