"""Paying the fees online: start an attempt, the simulated bank's page, the provider's
callback and the page the payer comes back to. Only the callback marks anything paid."""

import logging
from typing import cast
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizen.applications import selectors
from citizen.applications.views import LOGIN_URL, own_application_or_404, sent
from dossiers.errors import DossierError
from dossiers.models import Payment
from dossiers.payments import CallbackRejectedError, UnknownProviderError, get_provider
from dossiers.payments.services import payment_settle, payment_start
from dossiers.payments.simulated import OUTCOMES, SIMULATED, SimulatedGateway
from portal.http import AuthenticatedHttpRequest
from portal.models import User

logger = logging.getLogger(__name__)


def _payment_or_404(user: User, reference: str) -> Payment:
    try:
        return selectors.payment_of(user=user, reference=reference)
    except Payment.DoesNotExist as error:
        raise Http404("no such payment of yours") from error


@never_cache
@login_required(login_url=LOGIN_URL)
@require_POST
def payment_start_view(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    """Pay the fees: a new attempt, and off to the provider's page."""
    dossier = own_application_or_404(request.user, dossier_id)
    try:
        started = payment_start(
            dossier_id=dossier.pk,
            payer=request.user,
            return_url=lambda reference: request.build_absolute_uri(
                reverse("citizen:payment-return", args=[reference])
            ),
        )
    except PermissionDenied as error:
        raise Http404 from error
    except DossierError as error:
        messages.error(request, str(error))
        return sent(request, dossier, status=409)
    return redirect(started.redirect_url)


def _simulated_payment(request: AuthenticatedHttpRequest, reference: str) -> Payment:
    # The simulator exists only where the deployment pays through it.
    if settings.PAYMENT_PROVIDER != SIMULATED:
        raise Http404("no simulated payments here")
    payment = _payment_or_404(request.user, reference)
    if payment.provider != SIMULATED:
        raise Http404("not a simulated payment")
    return payment


@never_cache
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def payment_simulator(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """The simulated bank's page: Pay, Fail or Cancel. The bank then calls the portal back
    with a signed message, through the same checks as the HTTP callback, and sends the
    browser to the return page."""
    payment = _simulated_payment(request, reference)
    if payment.status != Payment.Status.PENDING:
        return redirect(payment.return_url)
    if request.method == "POST":
        outcome = request.POST.get("outcome", "")
        if outcome in OUTCOMES:
            gateway = cast(SimulatedGateway, get_provider(SIMULATED))
            message = gateway.callback(payment, outcome=outcome)
            try:
                payment_settle(provider=gateway.name, result=gateway.verify(message))
            except CallbackRejectedError as error:  # a race with another attempt
                logger.warning("simulated callback refused: %s", error)
            return redirect(payment.return_url)
    context = {"payment": payment, "dossier": payment.dossier}
    return render(request, "citizen/payments/simulator.html", context)


@csrf_exempt  # server to server: the provider's signature is the proof, not a cookie
@require_POST
def payment_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """The provider's server-to-server word on a payment: 200 once applied or when already
    applied, 400 when not believed (signature, age, amount), 409 when it contradicts an
    earlier one. A refused callback changes nothing."""
    if provider == SIMULATED and settings.PAYMENT_PROVIDER != SIMULATED:
        raise Http404("the simulator is off")
    try:
        gateway = get_provider(provider)
    except UnknownProviderError as error:
        raise Http404("no such payment provider") from error
    try:
        outcome = payment_settle(provider=gateway.name, result=gateway.verify_callback(request))
    except CallbackRejectedError as error:
        logger.warning("payment callback from %s refused: %s", provider, error)
        return HttpResponse(
            f"rejected: {error}", status=error.http_status, content_type="text/plain"
        )
    return HttpResponse(str(outcome), content_type="text/plain")


@never_cache
@login_required(login_url=LOGIN_URL)
@require_GET
def payment_return(request: AuthenticatedHttpRequest, reference: str) -> HttpResponse:
    """Where the provider sends the payer back: it shows the outcome the callback recorded
    and never records one itself."""
    payment = _payment_or_404(request.user, reference)
    context = {
        "payment": payment,
        "dossier": payment.dossier,
        "fees": selectors.fees_of(payment.dossier),
    }
    return render(request, "citizen/payments/return.html", context)
