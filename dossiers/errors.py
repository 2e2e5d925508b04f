"""What the dossier services refuse, each with its code (portal.service_errors): the
message is translated when shown, so an officer or applicant reads it in their language."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from portal.service_errors import (
    InvalidStateError,
    ServiceConflictError,
    ServiceDeniedError,
    ServiceError,
    ServiceValidationError,
)


class DossierError(ServiceError):
    """A dossier action that cannot be done now (409); the message says why, for the user."""

    code = "dossier.refused"
    message = _("This cannot be done on this dossier now.")
    http_status = 409


def _status_label(dossier: object, status: str) -> object:
    """The state's label, still lazy: translated when the message is shown."""
    meta = getattr(type(dossier), "_meta", None)
    if meta is None:
        return status
    return dict(meta.get_field("status").flatchoices).get(status, status)


class InvalidTransitionError(DossierError, InvalidStateError):
    code = "dossier.invalid_transition"
    message = _("This cannot be done while the dossier is “%(status)s”.")

    def __init__(self, dossier: object, action: str) -> None:
        self.action = action
        self.status: str = getattr(dossier, "status", "")
        super().__init__(status=_status_label(dossier, self.status))


class AlreadyEvaluatedError(InvalidTransitionError):
    """RULES.md §8: one evaluation per dossier."""

    code = "dossier.already_evaluated"
    message = _("This dossier has already been evaluated: one evaluation per dossier.")

    def __init__(self, dossier: object) -> None:
        super().__init__(dossier, "evaluate")


class DossierConflictError(DossierError, ServiceConflictError):
    """Someone else changed the dossier since the actor looked at it."""

    code = "dossier.changed"
    message = _(
        "Someone else changed this dossier (version %(actual)s, not %(expected)s): "
        "reload it and try again."
    )

    def __init__(self, expected: int, actual: int) -> None:
        self.expected, self.actual = expected, actual
        super().__init__(expected=expected, actual=actual)


class InterconnectedParentError(DossierError):
    code = "dossier.interconnected_parent"
    message = _("An interconnected dossier follows its member dossiers: act on those instead.")


class ResultAlreadyReadyError(DossierError):
    code = "dossier.result_already_ready"
    message = _("The paper result is already marked ready.")


class ActionDeniedError(ServiceDeniedError):
    code = "dossier.action_denied"
    message = _("You may not do this on this dossier.")

    def __init__(self, action: str, **params: Any) -> None:
        self.action = action
        super().__init__(**params)


class ReceptionPointDeniedError(ServiceDeniedError):
    code = "dossier.reception_point_denied"
    message = _("You do not receive dossiers at this reception point.")
    field = "reception_point"


class PartnerPointDeniedError(ServiceDeniedError):
    code = "dossier.partner_point_denied"
    message = _("This postal partner does not serve the reception point.")
    field = "reception_point"


class AssignDeniedError(ServiceDeniedError):
    code = "dossier.assign_denied"
    message = _("Only a leader assigns a dossier to someone else.")
    field = "assignee"


class EvaluationDeniedError(ServiceDeniedError):
    code = "dossier.evaluation_denied"
    message = _("You may not record an evaluation of this dossier this way.")


class AttachmentDeniedError(ServiceDeniedError):
    code = "dossier.attachment_denied"
    message = _("You may not add papers to this dossier now.")


class ReasonRequiredError(ServiceValidationError):
    code = "dossier.reason_required"
    message = _("Give the reason.")
    field = "reason"


class HandOverTargetRequiredError(ServiceValidationError):
    code = "dossier.hand_over_target_required"
    message = _("Say who the dossier is handed over to.")
    field = "to_label"


class SupplementItemsRequiredError(ServiceValidationError):
    code = "dossier.supplement_items_required"
    message = _("Name at least one paper to supplement.")
    field = "items"


class NegativeAmountError(ServiceValidationError):
    code = "dossier.amount_negative"
    message = _("The amount cannot be less than 0.")
    field = "amount"


class NewDueDateTooEarlyError(ServiceValidationError):
    code = "dossier.new_due_date_too_early"
    message = _("Choose a date after the current due date.")
    field = "new_due_at"


class UnknownResultDeliveryError(ServiceValidationError):
    code = "dossier.result_delivery_unknown"
    message = _("Choose how the result is delivered: %(choices)s.")
    field = "delivery"


class AssigneeOutsideAgencyError(ServiceValidationError):
    code = "dossier.assignee_outside_agency"
    message = _("This officer does not process dossiers of the competent agency.")
    field = "assignee"


class AgencyDoesNotSettleError(ServiceValidationError):
    code = "dossier.agency_does_not_settle"
    message = _("%(agency)s does not settle procedure %(procedure)s.")
    field = "agency"


class PointDoesNotReceiveForError(ServiceValidationError):
    code = "dossier.point_does_not_receive_for"
    message = _("%(point)s does not receive dossiers for %(agency)s.")
    field = "reception_point"


class ReceptionPointClosedError(ServiceValidationError):
    code = "dossier.reception_point_closed"
    message = _("This reception point or agency is not in service today.")
    field = "reception_point"


class ProcedureNotOnlineError(ServiceValidationError):
    code = "dossier.procedure_not_online"
    message = _("Procedure %(procedure)s is not offered online.")
    field = "procedure"


class ProcedureNotPostalError(ServiceValidationError):
    code = "dossier.procedure_not_postal"
    message = _("Procedure %(procedure)s is not received by post.")
    field = "procedure"


class AgencyToChooseError(ServiceValidationError):
    code = "dossier.agency_to_choose"
    message = _("Choose the agency that settles %(procedure)s %(name)s.")
    field = "agencies"


class EmptyInterconnectionGroupError(ServiceValidationError):
    code = "dossier.interconnection_group_empty"
    message = _("The interconnection group %(group)s has no procedures.")
    field = "group"


class EmptyFileError(ServiceValidationError):
    code = "attachment.empty"
    message = _("The file is empty.")
    field = "file"


class FileTooLargeError(ServiceValidationError):
    code = "attachment.too_large"
    message = _("The file is larger than %(limit)s.")
    field = "file"


class FileTypeNotAcceptedError(ServiceValidationError):
    code = "attachment.type_not_accepted"
    message = _("This file is %(type)s, not a PDF, JPEG or PNG document.")
    field = "file"


class FileNameMismatchError(ServiceValidationError):
    code = "attachment.name_mismatch"
    message = _(
        "The file name does not match its content, which is %(type)s: "
        "rename it or choose another file."
    )
    field = "file"


class NotAPaperOfTheProcedureError(ServiceValidationError):
    code = "attachment.component_unknown"
    message = _("Paper %(component)s is not a paper of this procedure.")
    field = "component"


class UnknownCopyTypeError(ServiceValidationError):
    code = "attachment.copy_type_unknown"
    message = _("Choose the kind of copy: %(choices)s.")
    field = "copy_type"


class UnknownRatingError(ServiceValidationError):
    code = "evaluation.rating_unknown"
    message = _("Choose a rating: %(choices)s.")
    field = "rating"


class UnknownEvaluationChannelError(ServiceValidationError):
    code = "evaluation.channel_unknown"
    message = _("Choose how the evaluation is recorded: %(choices)s.")
    field = "channel"


class UnknownCriteriaError(ServiceValidationError):
    code = "evaluation.criteria_unknown"
    message = _("These are not criteria of the evaluation: %(criteria)s.")
    field = "criteria"


class CriterionPointsInvalidError(ServiceValidationError):
    code = "evaluation.criterion_points_invalid"
    message = _("Each criterion gets 0, 1 or 2 points; not so for %(criteria)s.")
    field = "criteria"


class CommentTooLongError(ServiceValidationError):
    code = "evaluation.comment_too_long"
    message = _("The comment has at most %(limit)s characters.")
    field = "comment"


class PaymentDeniedError(ServiceDeniedError):
    code = "payment.denied"
    message = _("Only the applicant pays the fees online.")


class PaymentNotPossibleError(DossierError):
    """The dossier cannot be paid online now; the message says why, for the applicant."""

    code = "payment.not_possible"
    message = _("The fees of this dossier cannot be paid online now.")


class PaymentNotOfferedError(PaymentNotPossibleError):
    code = "payment.not_offered"
    message = _("Online payment is not offered yet: pay the fees at the reception point.")


class AlreadyPaidOnlineError(PaymentNotPossibleError):
    code = "payment.already_paid_online"
    message = _("The fees of this dossier are already paid online.")


class PaidAtCounterError(PaymentNotPossibleError):
    code = "payment.paid_at_counter"
    message = _("The fees of this dossier were paid at the counter.")


class NotPayableNowError(PaymentNotPossibleError):
    code = "payment.not_payable_now"
    message = _("Fees can be paid online once the dossier is sent and until it is processed.")


class NoFeesDueError(PaymentNotPossibleError):
    code = "payment.no_fees_due"
    message = _("This dossier has no fees to pay.")
