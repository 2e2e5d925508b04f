"""Reception counter pages: intake of paper dossiers, the acceptance queue of online and
postal dossiers, and returning results. Every page is scoped to the officer's reception
points; a dossier elsewhere is a 404."""

import uuid
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from dossiers.errors import DossierError
from dossiers.models import Dossier, Status
from dossiers.services import (
    Applicant,
    dossier_receive,
    dossier_reject,
    dossier_request_supplement_at_intake,
    dossier_return_result,
    dossier_transfer,
)
from portal.http import AuthenticatedHttpRequest
from portal.resilience import cache_fails_open
from procedures.models import Procedure, ReceptionPoint
from reception.counter import kept, selectors, services
from reception.counter.forms import GUIDE, RECEIVE, REFUSE, DecisionForm, IntakeForm, ReturnForm
from reception.receipts import keep_secret, kept_secret

SESSION_POINT = "counter_point"
INTAKE_TOKEN_SECONDS = 3600


def _point(request: AuthenticatedHttpRequest) -> ReceptionPoint:
    """The reception point the officer works at now: ?point= switches, the session keeps it."""
    if not selectors.counter_points(user=request.user).exists():
        raise PermissionDenied(_("The counter is for reception officers."))
    # A posted form names the point it was filled in for (another tab may have switched).
    chosen = (
        request.POST.get("point") or request.GET.get("point") or request.session.get(SESSION_POINT)
    )
    point = selectors.counter_point(user=request.user, point_id=chosen)
    request.session[SESSION_POINT] = point.pk
    return point


# The guard against a form received twice lives in the shared cache. If the cache is down
# the intake goes through unguarded: a dossier is never refused for it.
@cache_fails_open(True, "intake not guarded against a second send")
def _claim(key: str) -> bool:
    return cache.add(key, "", INTAKE_TOKEN_SECONDS)


@cache_fails_open(None, "intake token not read")
def _cached(key: str) -> str | None:
    return cache.get(key)


@cache_fails_open(None, "intake token not kept")
def _remember(key: str, dossier_id: str) -> None:
    cache.set(key, dossier_id, INTAKE_TOKEN_SECONDS)


@cache_fails_open(None, "intake token not released")
def _release(key: str) -> None:
    cache.delete(key)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    points = selectors.counter_points(user=request.user)
    if not points.exists():
        raise PermissionDenied(_("The counter is for reception officers."))
    try:
        point = _point(request)
    except Http404:
        return render(request, "reception/counter/choose_point.html", {"points": points})
    # The find box takes a code or the receipt's scanned QR address, which carries the
    # lookup secret: posted, never in a URL, and only the code is shown back.
    code = selectors.code_from(request.POST.get("code", "")) if request.method == "POST" else ""
    if code:
        found = selectors.find_by_code(user=request.user, code=code)
        if found is not None:
            if found.status == Status.COMPLETED:
                return redirect("reception:counter:return", dossier_id=found.pk)
            if found.status == Status.SUBMITTED:
                return redirect("reception:counter:decide", dossier_id=found.pk)
            return redirect("reception:counter:dossier", dossier_id=found.pk)
        messages.warning(request, _("No dossier with this code at your counters."))
    return render(
        request,
        "reception/counter/home.html",
        {
            "point": point,
            "points": points,
            "awaiting_reception": selectors.awaiting_reception(user=request.user, point=point)[:5],
            "awaiting_reception_count": selectors.awaiting_reception(
                user=request.user, point=point
            ).count(),
            "awaiting_transfer_count": selectors.awaiting_transfer(
                user=request.user, point=point
            ).count(),
            "awaiting_return_count": selectors.awaiting_return(
                user=request.user, point=point
            ).count(),
            "code": code,
        },
    )


@login_required
@never_cache
def procedures(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Type-ahead: the procedures received at this point that match what is typed."""
    point = _point(request)
    query = request.GET.get("q", "").strip()
    found = selectors.counter_procedures(point=point, query=query)[:12] if query else []
    return render(
        request, "reception/counter/_procedures.html", {"procedures": found, "query": query}
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def intake(request: AuthenticatedHttpRequest) -> HttpResponse:
    point = _point(request)
    procedure_id = request.POST.get("procedure") or request.GET.get("procedure")
    if not procedure_id:
        return render(request, "reception/counter/intake_start.html", {"point": point})
    try:
        procedure = selectors.counter_procedures(point=point).get(pk=int(procedure_id))
    except (ValueError, Procedure.DoesNotExist) as error:
        raise Http404("not a procedure received here") from error
    form = IntakeForm(request.POST or None, request.FILES or None, point=point, procedure=procedure)
    token = request.POST.get("intake_token", "")[:64]
    if request.method == "POST":
        dropped = {c.pk for c in form.components if request.POST.get(f"drop_{c.pk}")}
        kept.drop(request, token, dropped)
    held = kept.kept_scans(request, token)
    if request.method == "POST" and form.is_valid():
        # One dossier per filled-in form: a second click or a re-sent POST finds the first.
        key = f"counter:intake:{request.user.pk}:{token}"
        if token and not _claim(key):
            earlier = _cached(key)
            if earlier:
                return redirect("reception:counter:dossier", dossier_id=earlier)
            messages.warning(request, _("This dossier is already being recorded."))
            return redirect("reception:counter:home")
        data = form.cleaned_data
        intake = services.Intake(
            procedure=procedure,
            agency=data["agency"],
            reception_point=point,
            applicant=Applicant(
                name=data["applicant_name"],
                citizen_id=data["applicant_citizen_id"],
                phone=data["applicant_phone"],
                email=data["applicant_email"],
                address=data["applicant_address"],
            ),
            filled_by_officer=data["filled_by_officer"],
        )
        try:
            if data["outcome"] == RECEIVE:
                outcome = services.counter_receive(
                    officer=request.user,
                    intake=intake,
                    papers=form.papers(),
                    scans=_with_kept(form, held),
                    sets_count=data["sets_count"],
                    result_delivery=data["result_delivery"],
                    delivery_address=data["delivery_address"].strip(),
                    fee_amount=data["fee_amount"],
                    fee_collected=data["fee_collected"],
                )
                keep_secret(request, outcome.dossier, outcome.lookup_secret)
            elif data["outcome"] == GUIDE:
                outcome = services.counter_guide(
                    officer=request.user,
                    intake=intake,
                    items=form.requested_items(),
                    reason=data["reason"],
                )
            else:
                outcome = services.counter_refuse(
                    officer=request.user, intake=intake, reason=data["reason"]
                )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DossierError as error:
            form.add_error(None, str(error))
        except Exception:
            _release(key)
            raise
        else:
            _remember(key, str(outcome.dossier.pk))
            kept.drop_all(request, token)
            return redirect("reception:counter:dossier", dossier_id=outcome.dossier.pk)
        _release(key)  # refused: the same form may be sent again once corrected
    if request.method == "POST":
        # Refused: the scans that passed their checks wait for the corrected form.
        kept.keep(request, token, _good_uploads(request, form))
        held = kept.kept_scans(request, token)
    form.kept = held
    return render(
        request,
        "reception/counter/intake.html",
        {
            "point": point,
            "procedure": procedure,
            "form": form,
            "intake_token": token or uuid.uuid4().hex,
        },
        status=422 if form.is_bound and form.errors else 200,
    )


def _good_uploads(request: AuthenticatedHttpRequest, form: IntakeForm) -> dict[int, UploadedFile]:
    return {
        c.pk: cast(UploadedFile, request.FILES[f"file_{c.pk}"])
        for c in form.components
        if f"file_{c.pk}" in request.FILES and not form.errors.get(f"file_{c.pk}")
    }


def _with_kept(form: IntakeForm, held: dict[int, kept.KeptScan]) -> list[tuple]:
    """The scans sent now, and for the other papers those kept from a refused attempt."""
    scans = form.scans()
    sent = {component_id for component_id, _, _ in scans}
    copies = {c.pk: form.cleaned_data[f"copy_{c.pk}"] for c in form.components}
    return scans + [
        (component_id, copies[component_id], kept.as_upload(scan))
        for component_id, scan in held.items()
        if component_id not in sent and component_id in copies
    ]


def _worklist(request: AuthenticatedHttpRequest, select, template: str) -> HttpResponse:
    """A page of one of the counter's lists at the officer's reception point."""
    point = _point(request)
    page = Paginator(select(user=request.user, point=point), selectors.PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, template, {"point": point, "page": page})


@login_required
@never_cache
def pending(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _worklist(request, selectors.awaiting_reception, "reception/counter/pending.html")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def decide(request: AuthenticatedHttpRequest, dossier_id) -> HttpResponse:
    """Tiếp nhận, hướng dẫn bổ sung or từ chối a dossier sent online or by post."""
    dossier = selectors.counter_dossier(user=request.user, dossier_id=dossier_id)
    if dossier.status != Status.SUBMITTED:
        return redirect("reception:counter:dossier", dossier_id=dossier.pk)
    form = DecisionForm(request.POST or None, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        common = {
            "dossier_id": dossier.pk,
            "officer": request.user,
            "expected_version": data["version"],
        }
        try:
            with transaction.atomic():
                if data["outcome"] == RECEIVE:
                    reception = dossier_receive(**common)
                    keep_secret(request, reception.dossier, reception.lookup_secret)
                elif data["outcome"] == GUIDE:
                    dossier_request_supplement_at_intake(
                        items=form.requested_items(), reason=data["reason"], **common
                    )
                elif data["outcome"] == REFUSE:
                    dossier_reject(reason=data["reason"], **common)
        except PermissionDenied as error:
            raise Http404 from error
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except DossierError as error:
            form.add_error(None, str(error))
        else:
            return redirect("reception:counter:dossier", dossier_id=dossier.pk)
    return render(
        request,
        "reception/counter/decide.html",
        {"dossier": dossier, "form": form, "attachments": dossier.attachments.all()},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@never_cache
def transfers(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _worklist(request, selectors.awaiting_transfer, "reception/counter/transfers.html")


@login_required
@require_http_methods(["POST"])
def transfer(request: AuthenticatedHttpRequest, dossier_id) -> HttpResponse:
    """Chuyển hồ sơ: hand the received dossier to the agency that settles it (form 05 row)."""
    found = selectors.counter_dossier(user=request.user, dossier_id=dossier_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        dossier_transfer(dossier_id=found.pk, officer=request.user, expected_version=version)
    except PermissionDenied as error:
        raise Http404 from error
    except DossierError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(code)s handed to %(agency)s.") % {"code": found.code, "agency": found.agency},
        )
    if request.POST.get("next") == "list":
        return redirect("reception:counter:transfers")
    return redirect("reception:counter:dossier", dossier_id=found.pk)


@login_required
@never_cache
def returns(request: AuthenticatedHttpRequest) -> HttpResponse:
    return _worklist(request, selectors.awaiting_return, "reception/counter/returns.html")


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def return_result(request: AuthenticatedHttpRequest, dossier_id) -> HttpResponse:
    """Trả kết quả: check who collects, then mark the result returned or posted."""
    dossier = selectors.counter_dossier(user=request.user, dossier_id=dossier_id)
    if dossier.status != Status.COMPLETED:
        return redirect("reception:counter:dossier", dossier_id=dossier.pk)
    form = ReturnForm(request.POST or None, dossier=dossier, initial={"version": dossier.version})
    if request.method == "POST" and form.is_valid():
        try:
            returned = dossier_return_result(
                dossier_id=dossier.pk,
                officer=request.user,
                delivery=form.cleaned_data["delivery"],
                expected_version=form.cleaned_data["version"],
            )
        except PermissionDenied as error:
            raise Http404 from error
        except DossierError as error:
            form.add_error(None, str(error))
        else:
            services.note_served(officer=request.user, dossier=returned)
            messages.success(request, _("Result of %(code)s returned.") % {"code": returned.code})
            return redirect("reception:counter:dossier", dossier_id=dossier.pk)
    return render(
        request,
        "reception/counter/return.html",
        {"dossier": dossier, "form": form},
        status=422 if form.is_bound and form.errors else 200,
    )


@login_required
@never_cache
def dossier(request: AuthenticatedHttpRequest, dossier_id) -> HttpResponse:
    """Where the counter stands with a dossier, and the forms to print."""
    found = selectors.counter_dossier(user=request.user, dossier_id=dossier_id)
    secret = kept_secret(request, found)
    return render(
        request,
        "reception/counter/dossier.html",
        {
            "dossier": found,
            "lookup_secret": secret,
            "forms": _printable(found),
            "may_transfer": found.status == Status.RECEIVED,
            "pause": found.pauses.order_by("-requested_at").first(),
        },
    )


def _printable(dossier: Dossier) -> list[tuple[str, str]]:
    """(form number, title) of the forms this dossier has, for the print buttons."""
    forms = []
    if dossier.code:
        forms.append(("01", _("Form 01: receipt and appointment slip")))
    if dossier.pauses.filter(kind="supplement").exists():
        forms.append(("02", _("Form 02: request to complete the dossier")))
    if dossier.status == Status.REJECTED:
        forms.append(("03", _("Form 03: refusal")))
    if hasattr(dossier, "apology"):
        forms.append(("04", _("Form 04: apology and new date")))
    if dossier.code:
        forms.append(("05", _("Form 05: process control sheet")))
    return forms


def form_url(dossier: Dossier, number: str) -> str:
    return reverse("reception:documents:form", kwargs={"dossier_id": dossier.pk, "form": number})
