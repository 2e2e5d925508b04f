"""The public take-a-number kiosk and display board (no login, no personal data) and the
counter officer's page. Officers act only on the reception points of their assignments;
anything else is a 404, which does not even confirm it exists."""

import hashlib
from collections.abc import Callable
from functools import wraps

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh

from portal.http import AuthenticatedHttpRequest, HtmxHttpRequest
from portal.resilience import cache_fails_open
from procedures.models import ReceptionPoint
from reception.errors import QueueError
from reception.models import QueueTicket
from reception.queue import selectors, services
from reception.queue.forms import CounterChoiceForm

SESSION_KEY = "queue_counter"
# A kiosk serves a hall; a script hammering it does not. Per address and point.
TICKETS_PER_MINUTE = getattr(settings, "QUEUE_TICKETS_PER_MINUTE", 20)


def login_required_polled(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """login_required for a fragment a page polls: once the session has ended, the whole
    page reloads (and goes to the sign-in page) instead of the sign-in form being
    swapped into the fragment."""
    guarded = login_required(view)

    @wraps(view)
    def wrapper(request: HtmxHttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if request.htmx and not request.user.is_authenticated:
            return HttpResponseClientRefresh()
        return guarded(request, *args, **kwargs)

    return wrapper


def _open_point(point_code: str) -> ReceptionPoint:
    point = selectors.open_point(point_code)
    if point is None:
        raise Http404
    return point


@cache_fails_open(False, "kiosk numbers not throttled")
def _throttled(request: HttpRequest, point: ReceptionPoint) -> bool:
    minute = int(timezone.now().timestamp() // 60)
    key = f"queue:take:{point.pk}:{get_client_ip_address(request)}:{minute}"
    cache.add(key, 0, timeout=90)
    try:
        return cache.incr(key) > TICKETS_PER_MINUTE
    except ValueError:  # expired between add and incr
        return False


@never_cache
@require_http_methods(["GET", "POST"])
def take(request: HttpRequest, point_code: str) -> HttpResponse:
    """Lấy số: one big button per service, or a single one."""
    point = _open_point(point_code)
    lines = selectors.active_lines(point)
    error, status = "", 200
    if request.method == "POST":
        chosen = next((ln for ln in lines if str(ln.pk) == request.POST.get("line")), None)
        if _throttled(request, point):
            error, status = _("Too many numbers taken from this kiosk. Wait a minute."), 429
        elif lines and chosen is None:
            error, status = _("Choose the service you have come for."), 400
        else:
            try:
                ticket = services.queue_take_number(point=point, line=chosen)
            except ValidationError as refusal:
                error, status = " ".join(refusal.messages), 400
            else:
                return redirect(
                    "reception:queue:ticket", point_code=point.code, ticket_id=ticket.pk
                )
    context = {"point": point, "lines": lines, "error": error}
    return render(request, "reception/queue/take.html", context, status=status)


@never_cache
@require_GET
def ticket(request: HttpRequest, point_code: str, ticket_id: int) -> HttpResponse:
    """The number just taken, to print or note; back to the buttons after a while."""
    point = _open_point(point_code)
    found = selectors.tickets_today(point).filter(pk=ticket_id).select_related("line").first()
    if found is None:
        raise Http404
    context = {"point": point, "ticket": found, "ahead": selectors.waiting_before(found)}
    return render(request, "reception/queue/ticket.html", context)


def _board_context(request: HttpRequest, point: ReceptionPoint) -> dict[str, object]:
    """The board's rendered calls, their fingerprint (the version the screen shows) and
    the latest call's key (whether there is something new to announce)."""
    data = selectors.board(point)
    latest = data.latest
    html = render_to_string(
        "reception/queue/_board_calls.html", {"point": point, "board": data}, request=request
    )
    return {
        "point": point,
        "board": data,
        "calls": html,
        "version": hashlib.sha256(html.encode()).hexdigest()[:16],
        "call_key": f"{latest.number}-{latest.counter}-{latest.announced_at.timestamp():.3f}"
        if latest
        else "",
    }


@never_cache
@require_GET
def board(request: HttpRequest, point_code: str) -> HttpResponse:
    """Màn hình hiển thị: the hall's screen, polling for new calls."""
    context = _board_context(request, _open_point(point_code))
    return render(request, "reception/queue/board.html", context)


@never_cache
@require_GET
def board_calls(request: HttpRequest, point_code: str) -> HttpResponse:
    """The board's moving part. 204 when nothing changed since the version the screen
    shows, so nothing is swapped and screen readers hear nothing new."""
    context = _board_context(request, _open_point(point_code))
    if request.GET.get("v") == context["version"]:
        return HttpResponse(status=204)
    context["announce"] = context["call_key"] != request.GET.get("c", "")
    return render(request, "reception/queue/_board.html", context)


# The counter ------------------------------------------------------------------------------


def _workplace(request: AuthenticatedHttpRequest) -> tuple[ReceptionPoint, int] | None:
    """The point and counter chosen in this session, while the officer still works there."""
    if not selectors.points_served_by(request.user).exists():
        raise PermissionDenied(_("This page is for reception officers."))
    chosen = request.session.get(SESSION_KEY) or {}
    # pk=None (nothing chosen yet) finds no point, as meant; the plugin refuses None there.
    point = selectors.points_served_by(request.user).filter(pk=chosen.get("point")).first()  # type: ignore[misc]
    counter = chosen.get("counter")
    if point is None or not isinstance(counter, int) or not 1 <= counter <= point.counters:
        return None
    return point, counter


def _counter_page(
    request: AuthenticatedHttpRequest,
    workplace: tuple[ReceptionPoint, int] | None,
    *,
    status: int = 200,
    form: CounterChoiceForm | None = None,
) -> HttpResponse:
    if form is None:
        points = list(selectors.points_served_by(request.user)[:2])
        initial = {"point": points[0], "counter": 1} if len(points) == 1 else {}
        if workplace is not None:
            initial = {"point": workplace[0], "counter": workplace[1]}
        form = CounterChoiceForm(user=request.user, initial=initial)
    context: dict[str, object] = {"form": form, "workplace": workplace, "choosing": form.errors}
    if workplace is not None:
        point, counter = workplace
        today = timezone.localdate()
        figures = selectors.queue_figures(
            user=request.user, start=today, end=today, reception_point_id=point.pk
        )
        context |= {
            "point": point,
            "counter": counter,
            "view": selectors.counter_view(point, counter),
            "figures": figures[0] if figures else None,
            "times": [
                (label, minutes(average), minutes(p90))
                for label, average, p90 in _times(figures[0])
            ]
            if figures
            else [],
        }
    return render(request, "reception/queue/counter.html", context, status=status)


def minutes(seconds: float | None) -> str:
    """12:05 for 725 seconds; a dash when there is nothing to measure."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


def _times(figures: selectors.QueueFigures) -> list[tuple[str, float | None, float | None]]:
    return [
        (_("Waiting time (min:s)"), figures.waiting_average, figures.waiting_p90),
        (_("Serving time (min:s)"), figures.serving_average, figures.serving_p90),
    ]


@login_required
@require_GET
def counter(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Quầy: call the next number, recall, skip, finish; the numbers waiting."""
    return _counter_page(request, _workplace(request))


@login_required_polled
@require_GET
def counter_waiting(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The waiting list, polled by the counter page."""
    workplace = _workplace(request)
    if workplace is None:
        raise Http404
    point, number = workplace
    context = {"point": point, "counter": number, "view": selectors.counter_view(point, number)}
    return render(request, "reception/queue/_counter_waiting.html", context)


@login_required
@require_POST
def counter_choose(request: AuthenticatedHttpRequest) -> HttpResponse:
    workplace = _workplace(request)
    form = CounterChoiceForm(request.POST, user=request.user)
    if not form.is_valid():
        return _counter_page(request, workplace, status=400, form=form)
    point = form.cleaned_data["point"]
    request.session[SESSION_KEY] = {"point": point.pk, "counter": form.cleaned_data["counter"]}
    return redirect("reception:queue:counter")


@login_required
@require_POST
def call_next(request: AuthenticatedHttpRequest) -> HttpResponse:
    workplace = _workplace(request)
    if workplace is None:
        messages.error(request, _("Choose your reception point and counter first."))
        return redirect("reception:queue:counter")
    point, number = workplace
    try:
        called = services.queue_call_next(officer=request.user, point=point, counter=number)
    except PermissionDenied as denied:
        raise Http404 from denied
    except QueueError as refusal:
        messages.error(request, str(refusal))
        return _counter_page(request, workplace, status=409)
    if called is None:
        messages.info(request, _("Nobody is waiting for this counter."))
    else:
        messages.success(
            request,
            _("Number %(number)s called to counter %(counter)s.")
            % {"number": called.display, "counter": number},
        )
    return redirect("reception:queue:counter")


ACTIONS = {
    "recall": services.queue_recall,
    "skip": services.queue_skip,
    "finish": services.queue_finish,
}


@login_required
@require_POST
def ticket_action(request: AuthenticatedHttpRequest, ticket_id: int, action: str) -> HttpResponse:
    """Recall, skip or finish the number at the counter."""
    if action not in ACTIONS:
        raise Http404
    try:
        done: QueueTicket = ACTIONS[action](officer=request.user, ticket_id=ticket_id)
    except (QueueTicket.DoesNotExist, PermissionDenied) as hidden:
        raise Http404 from hidden
    except QueueError as refusal:
        messages.error(request, str(refusal))
        return _counter_page(request, _workplace(request), status=409)
    done_messages = {
        "recall": _("Number %(number)s called again."),
        "skip": _("Number %(number)s skipped."),
        "finish": _("Number %(number)s finished."),
    }
    messages.success(request, done_messages[action] % {"number": done.display})
    return redirect(reverse("reception:queue:counter"))
