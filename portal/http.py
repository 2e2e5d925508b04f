"""Types of the request the views receive, for mypy: Django hands every view an ordinary
HttpRequest; these say what the middleware and the decorators guarantee about it."""

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from portal.models import User


class HtmxHttpRequest(HttpRequest):
    """Every request: django_htmx's middleware sets `htmx` on it."""

    htmx: HtmxDetails


class AuthenticatedHttpRequest(HtmxHttpRequest):
    """The request of a view behind login_required: its user is signed in, so
    `request.user` is a User, not User | AnonymousUser."""

    user: User
