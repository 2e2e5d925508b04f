"""Writers of online payments: an attempt is started by the applicant and settled only by
the provider's verified callback, once, in the transaction that marks the dossier paid."""

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from dossiers import policies
from dossiers.errors import (
    AlreadyPaidOnlineError,
    NoFeesDueError,
    NotPayableNowError,
    PaidAtCounterError,
    PaymentDeniedError,
    PaymentNotOfferedError,
    PaymentNotPossibleError,
)
from dossiers.models import Dossier, Payment, Status
from dossiers.payments.base import (
    CallbackRejectedError,
    CallbackResult,
    PaymentConflictError,
    get_provider,
)
from portal import audit
from portal.models import User
from procedures.selectors import procedure_terms

logger = logging.getLogger(__name__)

# From submission until processing ends; afterwards the fees are settled at the counter.
PAYABLE_STATES = frozenset({Status.SUBMITTED, Status.RECEIVED, Status.IN_PROCESS})


class Outcome(StrEnum):
    """What a verified callback did."""

    PAID = "paid"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ALREADY_PROCESSED = "already processed"  # the same message again: nothing to do
    ALREADY_PAID = "already paid"  # another attempt paid the fees first: nothing to do
    REFUND_DUE = "refund due"  # paid, but no longer owed as paid: recorded for a refund


@dataclass(frozen=True)
class PaymentStart:
    payment: Payment
    redirect_url: str  # the provider's page, where the payer's browser goes next


def fee_due(dossier: Dossier) -> int:
    """Phí, lệ phí (VND): as fixed at reception, or before it the procedure's fees now."""
    if dossier.fee_amount:
        return dossier.fee_amount
    terms = dossier.terms if "fees" in dossier.terms else procedure_terms(dossier.procedure)
    return sum(fee["amount"] for fee in terms["fees"])


def payment_refusal(dossier: Dossier) -> PaymentNotPossibleError | None:
    """Why the dossier's fees cannot be paid online now (its message says it in the
    reader's language), or None when they can."""
    if not settings.PAYMENT_PROVIDER:
        return PaymentNotOfferedError()
    if dossier.paid_online:
        return AlreadyPaidOnlineError()
    if dossier.fee_collected:
        return PaidAtCounterError()
    if dossier.status not in PAYABLE_STATES:
        return NotPayableNowError()
    if not fee_due(dossier):
        return NoFeesDueError()
    return None


def _in_english(text: object) -> str:
    """Audit data is read by administrators of any language: kept in the msgid's words."""
    with translation.override("en"):
        return str(text)


def _new_reference() -> str:
    # Date for the people reading bank statements; 48 random bits so it cannot be guessed.
    return f"TT{timezone.localdate():%y%m%d}{secrets.token_hex(6).upper()}"


@transaction.atomic
def _new_attempt(
    *, dossier_id: UUID | str, payer: User, provider: str, return_url: Callable[[str], str]
) -> Payment:
    dossier = (
        Dossier.objects.select_for_update(of=("self",))
        .select_related("procedure")
        .get(pk=dossier_id)
    )
    if policies.APPLICANT not in policies.capacities(payer, dossier):
        raise PaymentDeniedError
    refusal = payment_refusal(dossier)
    if refusal is not None:
        raise refusal
    reference = _new_reference()
    payment = Payment.objects.create(
        dossier=dossier,
        reference=reference,
        provider=provider,
        amount=fee_due(dossier),
        payer=payer,
        return_url=return_url(reference),
    )
    audit.record(
        actor=payer,
        event="dossiers.payment_started",
        target=dossier,
        data={"payment": reference, "amount": payment.amount, "provider": provider},
    )
    return payment


def payment_start(
    *, dossier_id: UUID | str, payer: User, return_url: Callable[[str], str]
) -> PaymentStart:
    """Thanh toán trực tuyến: a new attempt to pay the dossier's fees (a failed one is
    retried with a new attempt). `return_url` gives, from the payment reference, the page
    the provider sends the payer back to."""
    # No provider configured: _new_attempt refuses (payment_refusal) before writing anything.
    provider = get_provider() if settings.PAYMENT_PROVIDER else None
    payment = _new_attempt(
        dossier_id=dossier_id,
        payer=payer,
        provider=provider.name if provider else "",
        return_url=return_url,
    )
    # After commit: the attempt exists whatever the provider answers.
    assert provider is not None  # without one, _new_attempt has refused
    return PaymentStart(payment, provider.start(payment))


@transaction.atomic
def payment_settle(*, provider: str, result: CallbackResult) -> Outcome:
    """Kết quả thanh toán: apply a provider's verified callback. Replays do nothing; a
    callback that contradicts the payment is refused and changes nothing."""
    dossier_id = (
        Payment.objects.filter(reference=result.reference, provider=provider)
        .values_list("dossier_id", flat=True)
        .first()
    )
    if dossier_id is None:
        raise CallbackRejectedError("unknown payment reference")
    # Dossier first, then payment: the order every dossier service locks in.
    dossier = Dossier.objects.select_for_update(of=("self",)).get(pk=dossier_id)
    payment = Payment.objects.select_for_update().get(reference=result.reference)
    if result.amount != payment.amount:
        raise CallbackRejectedError(f"amount {result.amount} is not {payment.amount}")
    if payment.status != Payment.Status.PENDING:
        recorded = (
            Payment.Status.PAID if payment.status == Payment.Status.REFUND_DUE else payment.status
        )
        if (recorded, payment.transaction_id) == (result.status, result.transaction_id):
            return Outcome.ALREADY_PROCESSED
        raise PaymentConflictError(f"payment already {payment.status}")
    if (
        Payment.objects.filter(provider=provider, transaction_id=result.transaction_id)
        .exclude(pk=payment.pk)
        .exists()
    ):
        raise PaymentConflictError("transaction already used by another payment")
    if result.status == Payment.Status.PAID and dossier.paid_online:
        # Paid twice at the bank: the fees stand paid once; the refund is done by hand.
        logger.warning("second payment %s for paid dossier %s", payment.reference, dossier.pk)
        return Outcome.ALREADY_PAID
    no_longer_owed: object = None
    if result.status == Payment.Status.PAID:
        no_longer_owed = payment_refusal(dossier)
        if no_longer_owed is None and payment.amount != fee_due(dossier):
            no_longer_owed = f"the fees are now {fee_due(dossier)}, not {payment.amount}"
    payment.status = Payment.Status.REFUND_DUE if no_longer_owed else result.status
    payment.transaction_id = result.transaction_id
    payment.completed_at = timezone.now()
    payment.save(update_fields=["status", "transaction_id", "completed_at"])
    data = {
        "payment": payment.reference,
        "amount": payment.amount,
        "transaction": payment.transaction_id,
        "provider": provider,
    }
    if no_longer_owed:
        # An attempt begun earlier, completed after the dossier stopped owing that sum.
        logger.warning("payment %s to refund for dossier %s", payment.reference, dossier.pk)
        audit.record(
            actor=None,
            event="dossiers.payment_to_refund",
            target=dossier,
            data={**data, "reason": _in_english(no_longer_owed)},
        )
        return Outcome.REFUND_DUE
    if result.status != Payment.Status.PAID:
        audit.record(
            actor=None,
            event="dossiers.payment_failed",
            target=dossier,
            data={**data, "status": result.status},
        )
        return Outcome(result.status)
    dossier.paid_online = True
    if not dossier.fee_amount:
        dossier.fee_amount = payment.amount
    dossier.save(update_fields=["paid_online", "fee_amount", "updated_at"])
    audit.record(actor=None, event="dossiers.paid_online", target=dossier, data=data)
    return Outcome.PAID
