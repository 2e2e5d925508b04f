"""The counter's satisfaction kiosk: a tablet facing the citizen, opened by a reception
officer of the point; it offers the dossier just handled at that counter for rating
(RULES.md §8) and goes back to waiting."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dossiers.errors import InvalidTransitionError
from dossiers.models import Dossier, Evaluation
from dossiers.services.evaluations import (
    AlreadyEvaluatedError,
    EvaluationChannel,
    dossier_evaluate,
)
from procedures.models import ReceptionPoint
from reception.queue import selectors
from reception.queue.forms import EvaluationForm
from reception.queue.views import login_required_polled

WAITING = "waiting"
THANKS = "thanks"
# The face drawn on each answer's button, from a broad smile to a frown.
MOUTHS = {
    Evaluation.Rating.VERY_SATISFIED: "M13 27 Q24 40 35 27",
    Evaluation.Rating.SATISFIED: "M15 30 Q24 36 33 30",
    Evaluation.Rating.NEUTRAL: "M15 32 L33 32",
    Evaluation.Rating.DISSATISFIED: "M15 35 Q24 29 33 35",
    Evaluation.Rating.VERY_DISSATISFIED: "M13 37 Q24 26 35 37",
}


def _kiosk_point(request: HttpRequest, point_code: str, counter: int) -> ReceptionPoint:
    point = selectors.points_served_by(request.user).filter(code=point_code).first()
    if point is None or not 1 <= counter <= point.counters:
        raise Http404
    return point


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
@login_required
@require_GET
def kiosk(request: HttpRequest, point_code: str, counter: int) -> HttpResponse:
    point = _kiosk_point(request, point_code, counter)
    context = _state(point, counter, thanks=request.GET.get(THANKS) == "1")
    return render(request, "reception/queue/kiosk.html", context)


@never_cache
@login_required_polled
@require_GET
def kiosk_current(request: HttpRequest, point_code: str, counter: int) -> HttpResponse:
    """Polled by the tablet; 204 while nothing changed, so a citizen halfway through the
    form never loses it."""
    context = _state(_kiosk_point(request, point_code, counter), counter)
    if request.GET.get("k") == context["key"]:
        return HttpResponse(status=204)
    return render(request, "reception/queue/_kiosk_current.html", context)


@login_required
@require_POST
def kiosk_evaluate(request: HttpRequest, point_code: str, counter: int) -> HttpResponse:
    point = _kiosk_point(request, point_code, counter)
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
                actor=request.user,
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
            url = reverse("reception:queue:kiosk", args=[point.code, counter])
            return redirect(f"{url}?{THANKS}=1")
    context = _state(point, counter, form=form) | {"error": error}
    return render(request, "reception/queue/kiosk.html", context, status=status)
