"""Tra cứu hồ sơ: the public status lookup by the receipt's code and lookup secret, and the
satisfaction evaluation from it, without an account (RULES.md §7–8). Answers are the same
whichever of the two is wrong, failures are throttled, nothing is cached."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_http_methods

from citizen.tracking import selectors, throttle
from citizen.tracking.forms import LookupForm, RatingForm, ReceiptForm
from citizen.tracking.views import ALREADY_RATED, NOT_YET, RATE_STEP, rating_page, submit_rating
from dossiers.models import Dossier
from dossiers.services.evaluations import dossier_evaluate_by_receipt

NOT_FOUND = gettext_lazy(
    "No dossier matches this code and lookup secret. Check both against your receipt."
)


def _private(response: HttpResponse) -> HttpResponse:
    """Not kept by any cache, and the address is not sent to other sites. `same-origin`,
    not `no-referrer`: under `no-referrer` Chromium posts the page's forms (rating,
    language) with `Origin: null`, which Django's CSRF check refuses."""
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    response["Referrer-Policy"] = "same-origin"
    return response


def _too_many(request: HttpRequest) -> HttpResponse:
    minutes = int(throttle.window().total_seconds()) // 60
    response = render(request, "citizen/tracking/too_many.html", {"minutes": minutes}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return _private(response)


def _lookup_page(
    request: HttpRequest, *, form: LookupForm, status: int = 200, **context: object
) -> HttpResponse:
    response = render(
        request, "citizen/tracking/lookup.html", {"form": form, **context}, status=status
    )
    return _private(response)


def _checked(request: HttpRequest, code: str, secret: str) -> selectors.LookupAnswer | HttpResponse:
    """The answer for a code and secret, counted against the throttle; or the response
    that refuses it: too many attempts, or not found (with the code kept for correcting
    it, never the secret)."""
    keys = throttle.counters(request, code)
    if throttle.blocked(keys):
        return _too_many(request)
    try:
        answer = selectors.lookup(code=code, secret=secret)
    except Dossier.DoesNotExist:
        throttle.count_failure(keys)
        form = LookupForm(initial={"code": code})
        return _lookup_page(request, form=form, error=NOT_FOUND, status=404)
    return answer


@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """Tra cứu hồ sơ: by the code and secret typed in, or read from the receipt's QR.

    The form posts, so the secret stays out of addresses and access logs; the QR code
    carries it in the fragment (never sent), which lookup.js moves into the form. A GET
    with both still answers: receipts printed before carry the secret in the query."""
    data = request.POST if request.method == "POST" else request.GET
    if request.method == "GET" and "secret" not in request.GET:
        return _lookup_page(request, form=LookupForm(initial={"code": data.get("code", "")}))
    form = LookupForm(data)
    if not form.is_valid():
        return _lookup_page(request, form=form, status=400)
    code, secret = form.cleaned_data["code"], form.cleaned_data["secret"]
    answer = _checked(request, code, secret)
    if isinstance(answer, HttpResponse):
        return answer
    return _lookup_page(
        request,
        form=LookupForm(),
        answer=answer,
        receipt=ReceiptForm(initial={"code": code, "secret": secret}),
    )


@require_http_methods(["GET", "POST"])
def lookup_evaluate(request: HttpRequest) -> HttpResponse:
    """Đánh giá from the receipt's QR: the code and secret come in a POST form, checked
    and throttled like a lookup; no account needed."""
    if request.method == "GET":
        return redirect("citizen:lookup")
    receipt = ReceiptForm(request.POST)
    if not receipt.is_valid():
        return _lookup_page(request, form=LookupForm(), error=NOT_FOUND, status=404)
    code, secret = receipt.cleaned_data["code"], receipt.cleaned_data["secret"]
    answer = _checked(request, code, secret)
    if isinstance(answer, HttpResponse):
        return answer
    context: dict[str, Any] = {
        "code": answer.code,
        "procedure": answer.procedure,
        "initials": answer.initials,
        "receipt": receipt,
        "action": reverse("citizen:lookup-evaluate"),
    }
    if request.POST.get("step") != RATE_STEP:
        if not answer.evaluable:
            error = ALREADY_RATED if answer.evaluated else NOT_YET
            return _private(rating_page(request, context, error=error))
        return _private(rating_page(request, context, form=RatingForm()))
    refused = submit_rating(
        request,
        context,
        RatingForm(request.POST),
        lambda data: dossier_evaluate_by_receipt(code=code, secret=secret, **data),
    )
    if refused is not None:
        return _private(refused)
    messages.success(request, gettext("Thank you for rating the service."))
    return redirect("citizen:lookup")
