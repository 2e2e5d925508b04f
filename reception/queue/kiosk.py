"""The counter's satisfaction kiosk: a tablet facing the citizen; it offers the dossier just
handled at that counter for rating (RULES.md §8) and goes back to waiting.

A reception officer of the point opens the kiosk's address on the tablet and starts the
kiosk there: the device then holds a kiosk credential for that one counter (a signed,
HttpOnly cookie limited to the kiosk's addresses) and the officer is signed out of it, so
nobody at the tablet can reach the workspace as that officer. Ratings given through the
credential are recorded by the officer who started the kiosk, as long as they still
work at the point."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from dossiers.errors import AlreadyEvaluatedError, InvalidTransitionError
from dossiers.models import Dossier, Evaluation
from dossiers.services.evaluations import EvaluationChannel, dossier_evaluate
from portal.http import HtmxHttpRequest
from portal.models import User
from procedures.models import ReceptionPoint
from reception.queue import credentials, selectors, services
from reception.queue.credentials import KioskCredential
from reception.queue.forms import EvaluationForm

WAITING = "waiting"
THANKS = "thanks"
# The face drawn on each answer's button, from a broad smile to a frown.
MOUTHS: dict[str, str] = {
    Evaluation.Rating.VERY_SATISFIED: "M13 27 Q24 40 35 27",
    Evaluation.Rating.SATISFIED: "M15 30 Q24 36 33 30",
    Evaluation.Rating.NEUTRAL: "M15 32 L33 32",
    Evaluation.Rating.DISSATISFIED: "M15 35 Q24 29 33 35",
    Evaluation.Rating.VERY_DISSATISFIED: "M13 37 Q24 26 35 37",
}


@dataclass(frozen=True)
class Device:
    """A tablet running the kiosk of one counter; `officer` is None once the officer who
    started it no longer works at the point (the kiosk has stopped)."""

    credential: KioskCredential
    officer: User | None


def _kiosk_url(point: ReceptionPoint, counter: int) -> str:
    return reverse("reception:queue:kiosk", args=[point.code, counter])


def _point(point_code: str, counter: int) -> ReceptionPoint:
    point = selectors.open_point(point_code)
    if point is None or not 1 <= counter <= point.counters:
        raise Http404
    return point


def _serves(user: User | AnonymousUser, point: ReceptionPoint) -> bool:
    return user.is_authenticated and services.may_serve(user, point.pk)


def _device(request: HttpRequest, point: ReceptionPoint, counter: int) -> Device | None:
    """The kiosk this device runs, if its credential is valid; a credential for another
    counter or point is refused outright (404, as for a kiosk one may not see)."""
    credential = credentials.read(request.COOKIES.get(credentials.COOKIE))
    if credential is None:
        return None
    if (credential.point_id, credential.counter) != (point.pk, counter):
        raise Http404
    officer = User.objects.filter(pk=credential.officer_id, is_active=True).first()
    if officer is None or not services.may_serve(officer, point.pk):
        officer = None
    return Device(credential=credential, officer=officer)


def _refused(
    request: HtmxHttpRequest, point: ReceptionPoint, counter: int, device: Device | None
) -> HttpResponse:
    """A device without a running kiosk: a polling tablet reloads the whole page; a stopped
    kiosk says so; anybody else signs in (an officer, to start it) or is not let in."""
    if request.htmx:
        return HttpResponseClientRefresh()
    if device is not None:
        context = {"point": point, "counter": counter}
        return render(request, "reception/queue/kiosk_stopped.html", context, status=403)
    if not request.user.is_authenticated:
        return redirect_to_login(_kiosk_url(point, counter))
    raise Http404


def _state(
    point: ReceptionPoint, counter: int, *, thanks: bool = False, form: EvaluationForm | None = None
) -> dict[str, object]:
    current = None if thanks else selectors.kiosk_dossier(point, counter)
    key = current.key if current is not None else (THANKS if thanks else WAITING)
    if current is not None and form is None:
        form = EvaluationForm(initial={"dossier": current.id})
    ratings = [(value, label, MOUTHS[value]) for value, label in Evaluation.Rating.choices]
    return {
        "point": point,
        "counter": counter,
        "current": current,
        "key": key,
        "form": form,
        "ratings": ratings,
    }


@never_cache
@require_GET
def kiosk(request: HtmxHttpRequest, point_code: str, counter: int) -> HttpResponse:
    """The tablet's page; for a signed-in officer of the point, the page that starts (or
    stops) the kiosk on this device."""
    point = _point(point_code, counter)
    if _serves(request.user, point):
        try:
            running = _device(request, point, counter)
        except Http404:
            running = None
        context = {
            "point": point,
            "counter": counter,
            "running": running,
            "hours": credentials.kiosk_hours(),
        }
        return render(request, "reception/queue/kiosk_start.html", context)
    device = _device(request, point, counter)
    if device is None or device.officer is None:
        return _refused(request, point, counter, device)
    context = _state(point, counter, thanks=request.GET.get(THANKS) == "1")
    return render(request, "reception/queue/kiosk.html", context)


@require_POST
def kiosk_start(request: HttpRequest, point_code: str, counter: int) -> HttpResponse:
    """The officer hands this device over to the kiosk of the counter and is signed out
    of it."""
    point = _point(point_code, counter)
    if not request.user.is_authenticated:
        return redirect_to_login(_kiosk_url(point, counter))
    try:
        token = services.kiosk_start(officer=request.user, point=point, counter=counter)
    except (PermissionDenied, ValidationError) as hidden:
        raise Http404 from hidden
    logout(request)
    url = _kiosk_url(point, counter)
    response = redirect(url)
    response.set_cookie(
        credentials.COOKIE,
        token,
        max_age=credentials.kiosk_hours() * 3600,
        path=url,
        secure=settings.SESSION_COOKIE_SECURE or request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


@require_POST
def kiosk_stop(request: HtmxHttpRequest, point_code: str, counter: int) -> HttpResponse:
    """The device stops being the counter's kiosk: its credential is cleared."""
    point = _point(point_code, counter)
    try:
        device = _device(request, point, counter)
    except Http404:
        device = None
    if device is None and not _serves(request.user, point):
        return _refused(request, point, counter, None)
    if _serves(request.user, point):
        messages.success(request, _("The kiosk has stopped on this device."))
    url = _kiosk_url(point, counter)
    response = redirect(url)
    response.delete_cookie(credentials.COOKIE, path=url, samesite="Strict")
    return response


@never_cache
@require_GET
def kiosk_current(request: HtmxHttpRequest, point_code: str, counter: int) -> HttpResponse:
    """Polled by the tablet; 204 while nothing changed, so a citizen halfway through the
    form never loses it."""
    point = _point(point_code, counter)
    device = _device(request, point, counter)
    if device is None or device.officer is None:
        return _refused(request, point, counter, device)
    context = _state(point, counter)
    if request.GET.get("k") == context["key"]:
        return HttpResponse(status=204)
    return render(request, "reception/queue/_kiosk_current.html", context)


@require_POST
def kiosk_evaluate(request: HtmxHttpRequest, point_code: str, counter: int) -> HttpResponse:
    point = _point(point_code, counter)
    device = _device(request, point, counter)
    if device is None or device.officer is None:
        return _refused(request, point, counter, device)
    form: EvaluationForm | None  # None: the page offers the next dossier's form
    form = EvaluationForm(request.POST)
    offered = selectors.kiosk_dossier(point, counter)
    error, status = "", 200
    if not form.is_valid():
        error, status = _("Tap one of the five answers to rate the service."), 400
    elif offered is None or offered.id != str(form.cleaned_data["dossier"]):
        rated = Evaluation.objects.filter(
            dossier_id=form.cleaned_data["dossier"], dossier__reception_point=point
        ).exists()
        error = (
            _("This dossier has already been rated. Thank you!")
            if rated
            else _("This dossier is no longer offered at this counter.")
        )
        status, form = 409, None
    else:
        try:
            dossier_evaluate(
                dossier_id=offered.id,
                actor=device.officer,
                rating=form.cleaned_data["rating"],
                criteria=form.criteria(),
                comment=form.cleaned_data["comment"],
                channel=EvaluationChannel.KIOSK,
            )
        except (Dossier.DoesNotExist, PermissionDenied) as hidden:
            raise Http404 from hidden
        except AlreadyEvaluatedError:
            error, status = _("This dossier has already been rated. Thank you!"), 409
        except InvalidTransitionError:
            error, status = _("This dossier can be rated when its result is ready."), 409
        except ValidationError as refusal:
            error, status = " ".join(refusal.messages), 400
        else:
            return redirect(f"{_kiosk_url(point, counter)}?{THANKS}=1")
    context = _state(point, counter, form=form) | {"error": error}
    return render(request, "reception/queue/kiosk.html", context, status=status)
