"""The portal's own error pages (403, 404, CSRF failure, 500): in the visitor's language,
under the site header, with a way on instead of Django's bare English pages."""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseForbidden,
    HttpResponseNotFound,
    HttpResponseServerError,
    JsonResponse,
)
from django.template import loader
from django.utils.translation import gettext as _

from portal.api_errors import Problem, error_body
from portal.middleware import is_api


def _page(request: HttpRequest, template: str, **context: object) -> str:
    return loader.render_to_string(template, context, request)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    body = _page(
        request,
        "404.html",
        heading=_("Page not found"),
        explanation=_(
            "This address leads to no page of the portal. It may have been mistyped, "
            "or the page has moved."
        ),
    )
    return HttpResponseNotFound(body)


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    body = _page(
        request,
        "403.html",
        heading=_("This page is not for your account"),
        explanation=_(
            "Your account does not give access to this page. If you think it "
            "should, ask the administrator of your unit."
        ),
        sign_in=True,
    )
    return HttpResponseForbidden(body)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form sent from a page kept open too long or another site."""
    body = _page(
        request,
        "403_csrf.html",
        heading=_("The form could not be sent"),
        explanation=_(
            "For your security the form was refused: the page was open too long "
            "or came from another site. Go back, reload the page and send it again."
        ),
    )
    return HttpResponseForbidden(body)


def server_error(request: HttpRequest) -> HttpResponse:
    """No request context: the failure may be the database the context processors read.
    The REST API answers its documented JSON error body instead of a page."""
    if is_api(request):
        problem = Problem(
            "server_error",
            _("The portal could not answer. Try again in a few minutes."),
        )
        return JsonResponse(error_body([problem]), status=500)
    template = loader.get_template("500.html")
    body = template.render(
        {
            "province_name": settings.PORTAL_PROVINCE_NAME,
            "return_path": "/",
            "heading": _("Something went wrong on our side"),
            "explanation": _(
                "The portal could not answer. This is not your fault; try again in a few minutes."
            ),
        }
    )
    return HttpResponseServerError(body)
