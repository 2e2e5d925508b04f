"""What the reception services refuse (the queue, receipts, the postal partner API), each
with its code (portal.service_errors)."""

from django.utils.translation import gettext_lazy as _

from portal.service_errors import (
    InvalidStateError,
    ServiceConflictError,
    ServiceDeniedError,
    ServiceError,
    ServiceValidationError,
)


class QueueError(ServiceError):
    """A queue action that cannot be done now (409); the message says why, for the officer."""

    code = "queue.refused"
    message = _("This cannot be done on the queue now. Reload the page.")
    http_status = 409


class CounterBusyError(QueueError, ServiceConflictError):
    code = "queue.counter_busy"
    message = _("This counter is already calling a number. Reload the page.")


class TicketNotRecallableError(QueueError, InvalidStateError):
    code = "queue.cannot_recall"
    message = _("Number %(number)s cannot be recalled: it is %(status)s.")


class TicketNotSkippableError(QueueError, InvalidStateError):
    code = "queue.cannot_skip"
    message = _("Number %(number)s cannot be skipped: it is %(status)s.")


class TicketNotFinishableError(QueueError, InvalidStateError):
    code = "queue.cannot_finish"
    message = _("Number %(number)s cannot be finished: it is %(status)s.")


class QueuePointDeniedError(ServiceDeniedError):
    code = "queue.point_denied"
    message = _("You do not work at this reception point.")


class CounterOutOfRangeError(ServiceValidationError):
    code = "queue.counter_out_of_range"
    message = _("This reception point has counters 1 to %(count)s.")
    field = "counter"


class QueuePointClosedError(ServiceValidationError):
    code = "queue.point_closed"
    message = _("This reception point is closed.")
    field = "point"


class QueueLineRequiredError(ServiceValidationError):
    code = "queue.line_required"
    message = _("Choose the service you have come for.")
    field = "line"


class QueueLineNotOfferedError(ServiceValidationError):
    code = "queue.line_not_offered"
    message = _("This service is not offered here today.")
    field = "line"


class ReceiptDeniedError(ServiceDeniedError):
    code = "receipt.denied"
    message = _("Only the reception point issues receipts for this dossier.")


class ElectronicReceiptDeniedError(ServiceDeniedError):
    code = "receipt.electronic_denied"
    message = _("Only the applicant receives the electronic receipt.")


class PapersMissingError(ServiceValidationError):
    code = "postal.papers_missing"
    message = _("Papers missing: %(papers)s.")
    field = "components_checked"


class BillNumberUsedError(ServiceValidationError):
    code = "postal.bill_number_used"
    message = _("This bill number is already used by another shipment.")
    field = "bill_number"


class BillNumberOfAnotherDossierError(ServiceValidationError):
    code = "postal.bill_number_of_another_dossier"
    message = _("This bill number belongs to another dossier.")
    field = "bill_number"


class DeliveryAddressRequiredError(ServiceValidationError):
    code = "postal.delivery_address_required"
    message = _("Give the address to deliver the result to.")
    field = "delivery_address"


class NoAgencyAtPointError(ServiceValidationError):
    code = "postal.no_agency_at_point"
    message = _("No agency settles this procedure at this reception point.")
    field = "agency"


class ProcedureNotInForceError(ServiceValidationError):
    code = "postal.procedure_not_in_force"
    message = _("This is not a procedure in force.")
    field = "procedure"


class UnknownReceptionPointError(ServiceValidationError):
    code = "postal.reception_point_unknown"
    message = _("There is no reception point with this code.")
    field = "reception_point"


IDEMPOTENCY_KEY = "Idempotency-Key"


class IdempotencyKeyRequiredError(ServiceValidationError):
    code = "postal.idempotency_key_required"
    message = _("Send an Idempotency-Key header of at most 100 characters.")
    field = IDEMPOTENCY_KEY


class IdempotencyKeyReusedError(ServiceConflictError):
    code = "postal.idempotency_key_reused"
    message = _("This Idempotency-Key was already used with another request.")
    field = IDEMPOTENCY_KEY
