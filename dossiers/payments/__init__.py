"""Thanh toán trực tuyến: paying a dossier's fees online through a payment provider.

`base` is the interface every provider implements and the registry of providers by name;
`simulated` is the built-in gateway of the demo and the tests; `services` starts payments
and applies the providers' verified callbacks."""

from dossiers.payments import simulated  # noqa: F401 - registers the built-in gateway
from dossiers.payments.base import (
    CallbackRejectedError,
    CallbackResult,
    PaymentConflictError,
    PaymentProvider,
    UnknownProviderError,
    get_provider,
    register,
)

__all__ = [
    "CallbackRejectedError",
    "CallbackResult",
    "PaymentConflictError",
    "PaymentProvider",
    "UnknownProviderError",
    "get_provider",
    "register",
]
