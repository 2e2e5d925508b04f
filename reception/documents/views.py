"""The official forms of a dossier (01–05) as PDF, and the register (06) as PDF or XLSX.
Whatever an officer may not see answers 404, never 403: another unit's dossier is not
even confirmed to exist."""

from collections.abc import Callable
from datetime import date
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from dossiers import codes
from dossiers.errors import DossierError
from dossiers.models import Dossier
from portal.http import AuthenticatedHttpRequest
from procedures.models import ReceptionPoint
from reception.documents import context, register, selectors, services
from reception.documents import render as documents
from reception.documents.forms import RegisterForm
from reception.receipts import keep_secret, kept_secret

# Contract with the counter: right after a reception, the plain lookup secret waits here,
# keyed by the dossier's id, until the receipt is printed.
REGISTER_PDF_MAX_ROWS = 3000
TEMPLATE = "reception/documents/form_{}.html"
BUILDERS: dict[str, Callable[[Dossier], dict[str, object]]] = {
    "02": context.supplement_request,
    "03": context.refusal,
    "04": context.apology,
    "05": context.control_sheet,
}


def _dossier(request: AuthenticatedHttpRequest, dossier_id: UUID) -> Dossier:
    try:
        return selectors.dossier_for_forms(user=request.user, dossier_id=dossier_id)
    except (Dossier.DoesNotExist, PermissionDenied):
        raise Http404 from None


def _filename(form: str, dossier: Dossier) -> str:
    return f"mau-{form}-{dossier.code or dossier.reference}.pdf"


@require_GET
@login_required
def form_pdf(request: AuthenticatedHttpRequest, dossier_id: UUID, form: str) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    if form == "01":
        return _receipt(request, dossier)
    try:
        data = BUILDERS[form](dossier)
    except context.FormUnavailableError:
        raise Http404 from None
    return documents.pdf_response(TEMPLATE.format(form), data, _filename(form, dossier))


def _receipt(request: AuthenticatedHttpRequest, dossier: Dossier) -> HttpResponse:
    try:
        context.require_received(dossier)
    except context.FormUnavailableError:
        raise Http404 from None
    secret = kept_secret(request, dossier)
    if not secret or not codes.secret_matches(dossier, secret):
        return _secret_page(request, dossier)
    data = context.receipt(dossier, secret=secret)
    return documents.pdf_response(TEMPLATE.format("01"), data, _filename("01", dossier))


def _secret_page(
    request: AuthenticatedHttpRequest, dossier: Dossier, *, error: str = "", status: int = 200
) -> HttpResponse:
    """A reprint: the secret printed on the first receipt is not kept anywhere."""
    response = render(
        request,
        "reception/documents/receipt_secret.html",
        {
            "dossier": dossier,
            "may_reissue": selectors.may_reissue_secret(request.user, dossier),
            "error": error,
        },
        status=status,
    )
    add_never_cache_headers(response)
    return response


@require_POST
@login_required
def receipt_reissue(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    dossier = _dossier(request, dossier_id)
    try:
        secret = services.receipt_reissue_secret(dossier_id=dossier.pk, officer=request.user)
    except (Dossier.DoesNotExist, PermissionDenied):
        raise Http404 from None
    except DossierError as error:
        return _secret_page(request, dossier, error=str(error), status=409)
    keep_secret(request, dossier, secret)
    return redirect("reception:documents:form", dossier_id=dossier.pk, form="01")


def _register_form(request: AuthenticatedHttpRequest, *, bound: bool = True) -> RegisterForm:
    points = selectors.register_points_for(request.user)
    if not points.exists():
        raise Http404
    form = RegisterForm(request.GET, points=points, bound=bound)
    if bound and request.GET.get("point") and not form.is_valid() and "point" in form.errors:
        raise Http404  # a point outside the officer's scope: not confirmed to exist
    return form


def _register_page(
    request: AuthenticatedHttpRequest, form: RegisterForm, *, status: int = 200
) -> HttpResponse:
    return render(request, "reception/documents/register.html", {"form": form}, status=status)


@require_GET
@login_required
def register_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Choose the reception point and the period of the register."""
    return _register_page(request, _register_form(request, bound=bool(request.GET)))


def _register_data(
    request: AuthenticatedHttpRequest, form: RegisterForm
) -> tuple[ReceptionPoint, date, date, QuerySet[Dossier], str]:
    point, start, end = (form.cleaned_data[name] for name in ("point", "start", "end"))
    dossiers = register.register_dossiers(user=request.user, point=point, start=start, end=end)
    name = f"mau-06-so-theo-doi-{point.code}-{start:%Y%m%d}-{end:%Y%m%d}"
    return point, start, end, dossiers, name


@require_GET
@login_required
def register_pdf(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _register_form(request)
    if not form.is_valid():
        return _register_page(request, form, status=400)
    point, start, end, dossiers, name = _register_data(request, form)
    if dossiers.count() > REGISTER_PDF_MAX_ROWS:
        form.add_error(
            None,
            _(
                "The register of this period has more than %(count)s dossiers: choose a "
                "shorter period for the PDF, or download the spreadsheet."
            )
            % {"count": REGISTER_PDF_MAX_ROWS},
        )
        return _register_page(request, form, status=400)
    data = register.pdf_context(point=point, start=start, end=end, dossiers=dossiers)
    return documents.pdf_response("reception/documents/form_06.html", data, f"{name}.pdf")


@require_GET
@login_required
def register_xlsx(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = _register_form(request)
    if not form.is_valid():
        return _register_page(request, form, status=400)
    point, start, end, dossiers, name = _register_data(request, form)
    totals = register.Totals()
    content = register.workbook(
        point=point,
        start=start,
        end=end,
        rows=register.register_rows(dossiers, totals),
        totals=totals,
    )
    return documents.xlsx_response(content, f"{name}.xlsx")
