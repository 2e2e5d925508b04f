from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect, JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal import health
from portal.http import AuthenticatedHttpRequest


def _admin_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    from portal.accounts.views import default_destination

    if not admin.site.get_app_list(request):
        destination = default_destination(request.user)
        if destination != reverse("admin:index"):
            return redirect(destination)
    return admin.site.index(request)


# /admin/ (where /admin/login/ lands): an officer the admin has nothing to show is sent to
# their own work page rather than "you have no permission to view anything". admin_view
# keeps the admin's own checks (signed-in staff, else its login page).
admin_index = admin.site.admin_view(_admin_index)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 while the database answers (the portal can serve); Redis and the worker queue
    are reported so that monitoring sees a degraded state before users do."""
    database = health.check_database()
    redis_status = health.check_redis()
    workers = health.check_workers(str(redis_status["status"]))
    healthy = database["status"] == "ok"
    degraded = redis_status["status"] == "error" or workers["status"] == "error"
    body = {
        "status": "ok" if healthy and not degraded else ("degraded" if healthy else "error"),
        "database": database,
        "redis": redis_status,
        "worker": workers,
    }
    return JsonResponse(body, status=200 if healthy else 503)


def bare(request: HttpRequest) -> HttpResponse:
    """The least a request can cost through the middleware stack: the load benchmark's
    baseline (bench/load/), served only with PORTAL_BENCH_BARE_VIEW set."""
    return HttpResponse(b"ok", content_type="text/plain")


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the pages name; the static address is read
    per request (its hashed name exists only once the files are collected)."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
