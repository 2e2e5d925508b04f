"""What the portal asks of a payment provider (cổng thanh toán), and the providers by name.

A provider does two things: it sends the payer's browser to its own page (`start`), and it
tells the portal the outcome in a callback that only it can have written (`verify`). The
portal believes nothing else: the browser coming back to the return URL proves nothing."""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from dossiers.models import Payment


class CallbackRejectedError(Exception):
    """A callback the portal does not act on: not signed by the provider, too old, malformed
    or not about a payment as it stands. Nothing is changed; the message says why."""

    http_status = 400


class PaymentConflictError(CallbackRejectedError):
    """A signed callback that contradicts what the provider said before about the payment."""

    http_status = 409


class UnknownProviderError(LookupError):
    pass


@dataclass(frozen=True)
class CallbackResult:
    """The provider's verified word about one payment."""

    reference: str
    amount: int  # VND
    status: str  # Payment.Status: paid, failed or cancelled
    transaction_id: str
    timestamp: int  # seconds since the epoch, when the provider wrote it


class PaymentProvider(ABC):
    name: str = ""

    @abstractmethod
    def start(self, payment: "Payment") -> str:
        """Register the payment with the provider; the URL to send the payer's browser to.
        The provider sends the browser back to `payment.return_url` when the payer is done."""

    @abstractmethod
    def verify(self, fields: Mapping[str, str]) -> CallbackResult:
        """The content of a callback once its signature and freshness are checked, or
        CallbackRejectedError."""

    def verify_callback(self, request: HttpRequest) -> CallbackResult:
        """The verified content of the provider's server-to-server callback request."""
        return self.verify(request.POST)


_providers: dict[str, type[PaymentProvider]] = {}


def register(provider: type[PaymentProvider]) -> type[PaymentProvider]:
    """Make a provider available by its name (settings.PAYMENT_PROVIDER)."""
    _providers[provider.name] = provider
    return provider


def get_provider(name: str | None = None) -> PaymentProvider:
    """The provider called `name`, by default the one the deployment uses."""
    name = name or settings.PAYMENT_PROVIDER
    try:
        return _providers[name]()
    except KeyError:
        raise UnknownProviderError(name) from None
