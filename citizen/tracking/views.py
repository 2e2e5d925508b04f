"""Following a dossier: "my dossiers" for the signed-in applicant, the answer to a supplement
request, and the satisfaction evaluation from there (RULES.md §8). The public status lookup
by receipt is in lookup_views."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from citizen.applications.selectors import fees_of
from citizen.tracking import selectors, services
from citizen.tracking.forms import RatingForm, SupplementUploadForm, VersionForm
from dossiers.errors import (
    AlreadyEvaluatedError,
    DossierConflictError,
    DossierError,
    InvalidTransitionError,
)
from dossiers.models import Dossier
from dossiers.services.attachments import attachment_add
from dossiers.services.evaluations import EvaluationChannel, dossier_evaluate
from portal.http import AuthenticatedHttpRequest
from reception.documents.context import receipt as receipt_context
from reception.documents.render import pdf_response
from reception.documents.services import E_RECEIPT_CHANNELS, receipt_issue_electronic

LOGIN = "portal:login"
PAGE_SIZE = 20
# Marks the rating form's own submission, as opposed to the lookup's "Rate" button.
RATE_STEP = "rate"

ALREADY_RATED = gettext_lazy("This dossier has already been rated. Thank you!")
NOT_YET = gettext_lazy("You can rate the service when the result is ready.")
NOTHING_ASKED = gettext_lazy("No papers are requested from you for this dossier now.")


def _mine(request: AuthenticatedHttpRequest, dossier_id: UUID) -> Dossier:
    try:
        return selectors.my_dossier(user=request.user, dossier_id=dossier_id)
    except Dossier.DoesNotExist as hidden:
        raise Http404 from hidden


# My dossiers ------------------------------------------------------------------------------


@never_cache
@login_required(login_url=LOGIN)
@require_GET
def my_dossiers(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = Paginator(selectors.my_dossiers(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [(dossier, selectors.badge(dossier)) for dossier in page]
    return render(request, "citizen/tracking/my_dossiers.html", {"page": page, "rows": rows})


@never_cache
@login_required(login_url=LOGIN)
@require_GET
def my_dossier(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    dossier = _mine(request, dossier_id)
    return render(request, "citizen/tracking/my_dossier.html", _detail(request, dossier))


@login_required(login_url=LOGIN)
@require_POST
def e_receipt(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    """Giấy tiếp nhận điện tử (form 01) with a fresh lookup secret; posted, because each
    download issues a new secret."""
    dossier = _mine(request, dossier_id)
    try:
        secret = receipt_issue_electronic(dossier_id=dossier.pk, applicant=request.user)
    except InvalidTransitionError:
        raise Http404 from None
    dossier.refresh_from_db()
    data = receipt_context(dossier, secret=secret)
    filename = f"giay-tiep-nhan-{dossier.code}.pdf"
    response = pdf_response("reception/documents/form_01.html", data, filename)
    # Saved, not shown in a tab that a reload would re-post (and so re-issue the secret).
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _detail(
    request: AuthenticatedHttpRequest,
    dossier: Dossier,
    *,
    upload: tuple[int, SupplementUploadForm] | None = None,
    error: str = "",
) -> dict[str, Any]:
    supplement, obligation = selectors.waiting_on(dossier)
    components = selectors.components(dossier) if supplement else []
    items = []
    for index, item in enumerate(supplement.items if supplement else []):
        form = (
            upload[1]
            if upload is not None and upload[0] == index
            else SupplementUploadForm(components=components, item=item, prefix=f"item-{index}")
        )
        items.append({"index": index, "name": item, "form": form})
    papers, results = selectors.papers(dossier)
    return {
        "dossier": dossier,
        "supplement": supplement,
        "obligation": obligation,
        "items": items,
        "components": components,
        "uploads": (
            selectors.supplement_uploads(dossier, supplement, user=request.user)
            if supplement
            else []
        ),
        "send_form": VersionForm(initial={"version": dossier.version}),
        "papers": papers,
        "results": results,
        "apology": getattr(dossier, "apology", None),
        "evaluation": getattr(dossier, "evaluation", None),
        "evaluable": selectors.evaluable(dossier),
        "timeline": selectors.timeline(dossier),
        # As on the application's page: the fees fixed at reception, or before it the
        # procedure's, and whether they can be paid online now (or why not).
        "fees": fees_of(dossier),
        "e_receipt": bool(dossier.code) and dossier.channel in E_RECEIPT_CHANNELS,
        "error": error,
    }


def _refused(
    request: AuthenticatedHttpRequest, dossier: Dossier, error: str, status: int
) -> HttpResponse:
    context = _detail(request, dossier, error=error)
    return render(request, "citizen/tracking/my_dossier.html", context, status=status)


@login_required(login_url=LOGIN)
@require_POST
def supplement(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    """Bổ sung hồ sơ: add a file for a paper asked for, or send what was added."""
    dossier = _mine(request, dossier_id)
    if request.POST.get("action") == "send":
        return _send_supplement(request, dossier)
    pause, _ = selectors.waiting_on(dossier)
    if pause is None:
        return _refused(request, dossier, str(NOTHING_ASKED), 409)
    try:
        index = int(request.POST.get("item", ""))
        item = pause.items[index]
    except (ValueError, IndexError):
        index, item = 0, ""
    form = SupplementUploadForm(
        request.POST,
        request.FILES,
        components=selectors.components(dossier),
        item=item,
        prefix=f"item-{index}",
    )
    if form.is_valid():
        try:
            attachment_add(
                dossier_id=dossier.pk,
                actor=request.user,
                component_id=form.cleaned_data["component"],
                upload=form.cleaned_data["file"],
            )
        except Dossier.DoesNotExist as hidden:
            raise Http404 from hidden
        except PermissionDenied:  # answered or withdrawn meanwhile: no longer asked
            return _refused(request, dossier, str(NOTHING_ASKED), 409)
        except ValidationError as refusal:
            refused = getattr(refusal, "error_dict", {})
            field = next((name for name in ("file", "component") if name in refused), None)
            form.add_error(field, refusal.messages)
        else:
            added = gettext(
                "The file was added. Send the supplement when every paper asked for is added."
            )
            messages.success(request, added)
            return redirect(reverse("citizen:my-dossier", args=[dossier.pk]) + "#supplement")
    context = _detail(request, dossier, upload=(index, form))
    return render(request, "citizen/tracking/my_dossier.html", context, status=400)


def _send_supplement(request: AuthenticatedHttpRequest, dossier: Dossier) -> HttpResponse:
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        sent = services.dossier_send_supplement(
            dossier_id=dossier.pk, applicant=request.user, expected_version=version
        )
    except (Dossier.DoesNotExist, PermissionDenied) as hidden:
        raise Http404 from hidden
    except ValidationError:
        error = gettext("Add a file for the papers asked for before sending the supplement.")
        return _refused(request, dossier, error, 400)
    except DossierConflictError:
        error = gettext("The dossier changed since you opened this page. Check it and try again.")
        return _refused(request, dossier, error, 409)
    except InvalidTransitionError:
        return _refused(request, dossier, str(NOTHING_ASKED), 409)
    except DossierError as refusal:
        return _refused(request, dossier, str(refusal), 409)
    messages.success(
        request, gettext("The supplement was sent. Processing of your dossier resumes.")
    )
    return redirect("citizen:my-dossier", sent.pk)


@never_cache
@login_required(login_url=LOGIN)
@require_http_methods(["GET", "POST"])
def evaluate(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    """Đánh giá sự hài lòng from "my dossiers"."""
    dossier = _mine(request, dossier_id)
    context: dict[str, Any] = {
        "code": dossier.code or dossier.reference,
        "procedure": dossier.procedure.name,
        "action": reverse("citizen:evaluate", args=[dossier.pk]),
        "back": reverse("citizen:my-dossier", args=[dossier.pk]),
    }
    if request.method == "GET":
        if not selectors.evaluable(dossier):
            rated = getattr(dossier, "evaluation", None) is not None
            return rating_page(request, context, error=ALREADY_RATED if rated else NOT_YET)
        return rating_page(request, context, form=RatingForm())
    form = RatingForm(request.POST)
    refused = submit_rating(
        request,
        context,
        form,
        lambda data: dossier_evaluate(
            dossier_id=dossier.pk,
            actor=request.user,
            channel=EvaluationChannel.ONLINE,
            **data,
        ),
    )
    if refused is not None:
        return refused
    messages.success(request, gettext("Thank you for rating the service."))
    return redirect("citizen:my-dossier", dossier.pk)


def rating_page(
    request: HttpRequest,
    context: dict[str, Any],
    *,
    form: RatingForm | None = None,
    error: object = "",
    status: int = 200,
) -> HttpResponse:
    """The rating form, or why there is none."""
    return render(
        request,
        "citizen/tracking/evaluate.html",
        {**context, "form": form, "error": error, "rate_step": RATE_STEP},
        status=status,
    )


def submit_rating(
    request: HttpRequest,
    context: dict[str, Any],
    form: RatingForm,
    record: Callable[[dict[str, Any]], object],
) -> HttpResponse | None:
    """Record the rating the form holds; None once done, else the page that says why not."""
    if not form.is_valid():
        return rating_page(request, context, form=form, status=400)
    try:
        record(
            {
                "rating": form.cleaned_data["rating"],
                "criteria": form.criteria(),
                "comment": form.cleaned_data["comment"],
            }
        )
    except (Dossier.DoesNotExist, PermissionDenied) as hidden:
        raise Http404 from hidden
    except AlreadyEvaluatedError:
        return rating_page(request, context, error=ALREADY_RATED, status=409)
    except InvalidTransitionError:
        return rating_page(request, context, error=NOT_YET, status=409)
    except ValidationError as refusal:
        form.add_error(None, refusal.messages)
        return rating_page(request, context, form=form, status=400)
    return None
