"""Online application pages: start from a procedure's page, fill in, attach, save the
draft, come back, send. Only the applicant sees an application: anyone else gets a 404."""

from contextlib import suppress
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from citizen.applications import selectors, services
from citizen.applications.forms import ApplicationForm, refusal
from citizen.applications.selectors import Paper
from dossiers.errors import DossierError
from dossiers.models import Attachment, Dossier, ResultDelivery, Status
from portal.http import AuthenticatedHttpRequest
from portal.models import User
from procedures.models import Procedure

LOGIN_URL = "portal:login"
SAVE, SEND = "save", "send"


def own_application_or_404(user: User, dossier_id: UUID) -> Dossier:
    try:
        return selectors.application_of(user=user, dossier_id=dossier_id)
    except Dossier.DoesNotExist as error:
        raise Http404("no such application of yours") from error


def _add_errors(form: ApplicationForm, error: ValidationError) -> None:
    for name, problems in error.message_dict.items():
        field = "place" if name in ("agency", "reception_point") else name
        form.add_error(field if field in form.fields else None, problems)


def _render(
    request: AuthenticatedHttpRequest,
    form: ApplicationForm,
    *,
    procedure: Procedure,
    dossier: Dossier | None,
) -> HttpResponse:
    context = {
        "form": form,
        "procedure": procedure,
        "dossier": dossier,
        "max_size": settings.ATTACHMENT_MAX_BYTES,
        "place": form.chosen_place() if dossier is None else None,
        "other_drafts": (
            selectors.drafts_of(user=request.user).filter(procedure=procedure)
            if dossier is None
            else []
        ),
    }
    status = 422 if form.errors else 200
    return render(request, "citizen/applications/form.html", context, status=status)


def _store(request: AuthenticatedHttpRequest, form: ApplicationForm, dossier: Dossier) -> None:
    """Keep the valid details and each acceptable file at once; a refused file is
    reported next to its paper and never loses the rest."""
    user = request.user
    services.application_save(dossier_id=dossier.pk, applicant=user, details=form.details())
    for component_id, upload in form.uploads().items():
        try:
            services.application_attach(
                dossier_id=dossier.pk, applicant=user, component_id=component_id, upload=upload
            )
        except ValidationError as error:
            form.add_error(services.component_field(component_id), refusal(upload, error))
    removed = request.POST.get("remove")
    if removed:
        # Already gone (another tab): nothing left to do.
        with suppress(Attachment.DoesNotExist, ValidationError):
            services.application_remove_paper(
                dossier_id=dossier.pk, applicant=user, attachment_id=removed
            )


def _send(request: AuthenticatedHttpRequest, form: ApplicationForm, dossier: Dossier) -> bool:
    """Send the application if nothing is wrong; else add every problem, the missing
    papers with the rest."""
    if not form.errors:
        try:
            services.application_submit(dossier_id=dossier.pk, applicant=request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            return True
    for component in selectors.missing_papers(dossier):
        field = services.component_field(component.pk)
        if not form.has_error(field):
            form.add_error(field, services.MISSING_PAPER)
    return False


def _process(
    request: AuthenticatedHttpRequest, form: ApplicationForm, dossier: Dossier
) -> HttpResponse:
    try:
        _store(request, form, dossier)
        sent_now = request.POST.get("action") == SEND and _send(request, form, dossier)
    except PermissionDenied as error:
        raise Http404 from error
    except DossierError as error:
        messages.error(request, str(error))
        return redirect("citizen:application", dossier_id=dossier.pk)
    if sent_now:
        message = gettext(
            "Your application was sent. Its reference is %(reference)s: quote it if you "
            "call the reception point."
        )
        messages.success(request, message % {"reference": dossier.reference})
    elif form.errors:
        form.papers = selectors.papers_of(dossier)
        return _render(request, form, procedure=dossier.procedure, dossier=dossier)
    elif request.POST.get("remove"):
        messages.success(request, gettext("The file was removed."))
    else:
        messages.success(request, gettext("Your draft is saved."))
    return redirect("citizen:application", dossier_id=dossier.pk)


def _from_account(user: User) -> dict[str, str]:
    return {
        "applicant_name": user.full_name,
        "applicant_citizen_id": user.citizen_id,
        "applicant_phone": user.phone,
        "applicant_email": user.email,
        "result_delivery": ResultDelivery.COUNTER,
    }


@never_cache
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def apply(request: AuthenticatedHttpRequest, code: str) -> HttpResponse:
    """Nộp hồ sơ trực tuyến: the application form of a procedure offered online."""
    try:
        procedure = selectors.published_procedure(code=code)
    except Procedure.DoesNotExist as error:
        raise Http404("no such procedure") from error
    places = selectors.apply_places(procedure=procedure) if selectors.is_online(procedure) else []
    if not places:
        context = {"procedure": procedure, "online": selectors.is_online(procedure)}
        return render(request, "citizen/applications/not_online.html", context, status=404)
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        procedure=procedure,
        papers=[Paper(component, None) for component in procedure.components.all()],
        places=places,
        sending=request.POST.get("action") == SEND,
        initial=_from_account(request.user),
    )
    if request.method == "POST":
        form.is_valid()
        place = form.chosen_place()
        if place is None and form.files:
            form.add_error(None, gettext("Choose where you file, then choose your files again."))
        elif place is not None:
            try:
                dossier = services.application_start(
                    applicant=request.user, procedure=procedure, place=place, details=form.details()
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                return _process(request, form, dossier)
    return _render(request, form, procedure=procedure, dossier=None)


@never_cache
@login_required(login_url=LOGIN_URL)
@require_http_methods(["GET", "POST"])
def application(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    """The draft to go on with, or, once sent, what was sent and its fees."""
    dossier = own_application_or_404(request.user, dossier_id)
    if dossier.status != Status.DRAFT:
        if request.method == "POST":
            messages.error(request, gettext("This application was sent: it can no longer change."))
        return sent(request, dossier, status=409 if request.method == "POST" else 200)
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        procedure=dossier.procedure,
        papers=selectors.papers_of(dossier),
        sending=request.POST.get("action") == SEND,
        initial={name: getattr(dossier, name) for name in services.DETAILS},
    )
    if request.method == "POST":
        form.is_valid()
        return _process(request, form, dossier)
    return _render(request, form, procedure=dossier.procedure, dossier=dossier)


def sent(request: HttpRequest, dossier: Dossier, *, status: int = 200) -> HttpResponse:
    """A sent application: where it stands, its papers, and its fees to pay."""
    context = {
        "dossier": dossier,
        "papers": selectors.papers_of(dossier),
        "fees": selectors.fees_of(dossier),
    }
    return render(request, "citizen/applications/sent.html", context, status=status)


@never_cache
@login_required(login_url=LOGIN_URL)
@require_GET
def applications(request: AuthenticatedHttpRequest) -> HttpResponse:
    """My applications: the drafts to go on with."""
    context = {"drafts": selectors.drafts_of(user=request.user)}
    return render(request, "citizen/applications/list.html", context)
