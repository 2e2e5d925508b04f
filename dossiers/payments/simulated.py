"""The built-in simulated gateway: a page of the portal plays the bank, so that online
payment can be demonstrated and tested end to end without a contract with a real one.

It behaves as a real gateway does: the payer chooses on the bank's page, the bank signs its
callback with a key it shares with the portal (HMAC-SHA256 over the payment reference,
amount, status, transaction id and time), and the portal acts only on a callback whose
signature checks out. No money moves."""

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from dossiers.payments.base import CallbackRejectedError, CallbackResult, PaymentProvider, register

if TYPE_CHECKING:
    from dossiers.models import Payment

SIMULATED = "simulated"
# The signed fields, in the order the signature covers them.
SIGNED_FIELDS = ("reference", "amount", "status", "transaction_id", "timestamp")
OUTCOMES = ("paid", "failed", "cancelled")


def sign(fields: Mapping[str, str], *, secret: str) -> str:
    """HMAC-SHA256, in hex, of the signed fields one per line."""
    message = "\n".join(str(fields[name]) for name in SIGNED_FIELDS)
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


@register
class SimulatedGateway(PaymentProvider):
    name = SIMULATED

    def __init__(self, *, secret: str | None = None, max_age: int | None = None) -> None:
        self.secret = secret or settings.PAYMENT_SIMULATOR_SECRET
        self.max_age = settings.PAYMENT_CALLBACK_MAX_AGE if max_age is None else max_age

    def start(self, payment: "Payment") -> str:
        return reverse("citizen:payment-simulator", args=[payment.reference])

    def callback(self, payment: "Payment", *, outcome: str) -> dict[str, str]:
        """The signed message the simulated bank sends once the payer has chosen."""
        if outcome not in OUTCOMES:
            raise ValueError(outcome)
        fields = {
            "reference": payment.reference,
            "amount": str(payment.amount),
            "status": outcome,
            "transaction_id": f"SIM{secrets.token_hex(8).upper()}",
            "timestamp": str(int(timezone.now().timestamp())),
        }
        return {**fields, "signature": sign(fields, secret=self.secret)}

    def verify(self, fields: Mapping[str, str]) -> CallbackResult:
        try:
            values = {name: str(fields[name]) for name in SIGNED_FIELDS}
        except KeyError as missing:
            raise CallbackRejectedError(f"missing field {missing}") from None
        expected = sign(values, secret=self.secret)
        # Constant time: the time taken says nothing about how much of a forgery was right.
        if not hmac.compare_digest(expected, str(fields.get("signature", ""))):
            raise CallbackRejectedError("bad signature")
        try:
            amount, timestamp = int(values["amount"]), int(values["timestamp"])
        except ValueError:
            raise CallbackRejectedError("malformed amount or timestamp") from None
        if not values["transaction_id"] or not values["reference"]:
            raise CallbackRejectedError("missing reference or transaction id")
        if values["status"] not in OUTCOMES:
            raise CallbackRejectedError(f"unknown status {values['status']}")
        if abs(timezone.now().timestamp() - timestamp) > self.max_age:
            raise CallbackRejectedError("stale callback")
        return CallbackResult(
            reference=values["reference"],
            amount=amount,
            status=values["status"],
            transaction_id=values["transaction_id"],
            timestamp=timestamp,
        )
