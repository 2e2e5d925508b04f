"""The processing inbox of officers and leaders: their agencies' dossiers by legal due
time, and one dossier with the actions their capacities allow. Every write goes through
dossiers.services; a dossier outside the officer's agencies is a 404."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from dossiers.errors import DossierConflictError, DossierError, InvalidTransitionError
from dossiers.models import Dossier, Status
from portal.http import AuthenticatedHttpRequest
from reception.inbox import forms, selectors
from reception.inbox.actions import (
    ACTIONS,
    EVENT_DETAILS,
    EVENT_LABELS,
    UNLABELLED_EVENT,
    offered_actions,
)
from reception.inbox.selectors import Tray

PAGE_SIZE = 25
FILTERS = ("holder", "status", "procedure", "code")
INVALID = gettext_lazy("Nothing was saved: see the error next to the field.")


@require_GET
@login_required
def inbox(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not selectors.inbox_agency_ids(request.user):
        raise PermissionDenied(_("The inbox is for processing officers and leaders."))
    now = timezone.now()
    form = forms.InboxFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    page = Paginator(
        selectors.inbox_for(user=request.user, filters=filters, now=now), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reception/inbox/inbox.html",
        {
            "form": form,
            "filters": filters,
            "trays": Tray,
            "counts": selectors.inbox_counts(user=request.user, now=now),
            "page": page,
            "rows": selectors.inbox_rows(list(page.object_list), now=now),
            "query_string": query.urlencode(),
            "filtered": any(request.GET.get(name) for name in FILTERS),
        },
    )


def _dossier_or_404(request: AuthenticatedHttpRequest, dossier_id: UUID) -> Dossier:
    try:
        return selectors.inbox_dossier(user=request.user, dossier_id=dossier_id)
    except Dossier.DoesNotExist:
        raise Http404 from None


@require_GET
@login_required
def dossier(request: AuthenticatedHttpRequest, dossier_id: UUID) -> HttpResponse:
    return _page(request, _dossier_or_404(request, dossier_id))


@require_POST
@login_required
def act(request: AuthenticatedHttpRequest, dossier_id: UUID, action: str) -> HttpResponse:
    """Do one action on the dossier as the officer saw it (its version)."""
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    found = _dossier_or_404(request, dossier_id)
    form = spec.form(request.POST, request.FILES, dossier=found, user=request.user, prefix=action)
    if not form.is_valid():
        return _page(request, found, bound=(action, form), problem=str(INVALID), status=400)
    given = {"dossier_id": found.pk, "expected_version": form.cleaned_data["version"]}
    try:
        done = spec.run(form, **given)
    except Dossier.DoesNotExist:
        raise Http404 from None
    except PermissionDenied:
        # The dossier is in the officer's agencies, so a refusal here reveals nothing.
        return _page(request, found, problem=_("You may not do this on this dossier."), status=403)
    except ValidationError as error:
        form.add_service_error(error)
        return _page(request, found, bound=(action, form), problem=str(INVALID), status=400)
    except DossierError as error:
        fresh = _dossier_or_404(request, dossier_id)
        data = request.POST.copy()
        data[f"{action}-version"] = str(fresh.version)
        again = spec.form(data, request.FILES, dossier=fresh, user=request.user, prefix=action)
        return _page(request, fresh, bound=(action, again), problem=_problem(error), status=409)
    messages.success(request, spec.done)
    warning = spec.warn(done)
    if warning:
        messages.warning(request, warning)
    return redirect("reception:inbox:dossier", dossier_id=found.pk)


def _problem(error: DossierError) -> str:
    if isinstance(error, DossierConflictError):
        return _(
            "Someone else changed this dossier after you opened it, so nothing was saved. "
            "Check what changed below, then try again."
        )
    if isinstance(error, InvalidTransitionError):
        return _("This cannot be done while the dossier is “%(status)s”. Nothing was saved.") % {
            "status": Status(error.status).label if error.status in Status.values else error.status
        }
    return _("Nothing was saved: %(reason)s") % {"reason": error}


def _page(
    request: AuthenticatedHttpRequest,
    found: Dossier,
    *,
    bound: tuple[str, forms.ActionForm] | None = None,
    problem: str | None = None,
    status: int = 200,
) -> HttpResponse:
    offered = offered_actions(request.user, found)
    action_forms = {
        action: ACTIONS[action].form(dossier=found, user=request.user, prefix=action)
        for action in offered
    }
    if bound is not None and bound[0] in action_forms:
        action_forms[bound[0]] = bound[1]
    papers, results = selectors.dossier_papers(found)
    return render(
        request,
        "reception/inbox/dossier.html",
        {
            "dossier": found,
            "row": selectors.inbox_rows([found])[0],
            "forms": action_forms,
            "open_form": bound[0] if bound else None,
            "problem": problem,
            "papers": papers,
            "results": results,
            "pauses": list(found.pauses.select_related("requested_by")),
            "hand_overs": list(found.hand_overs.select_related("sent_by", "received_by")),
            "apology": getattr(found, "apology", None),
            "next_step": selectors.next_step(found),
            "timeline": _timeline(found),
        },
        status=status,
    )


def _timeline(found: Dossier) -> list[dict[str, Any]]:
    entries = []
    for event in selectors.dossier_timeline(found):
        detail = next((event.data[key] for key in EVENT_DETAILS if event.data.get(key)), "")
        if isinstance(detail, list):
            detail = ", ".join(str(item) for item in detail)
        entries.append(
            {
                "at": event.created_at,
                "label": EVENT_LABELS.get(event.event, UNLABELLED_EVENT),
                "actor": event.actor,
                "detail": detail,
            }
        )
    return entries
