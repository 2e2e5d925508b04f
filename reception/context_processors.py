"""What the site's header offers an officer, read from the officer's cached scopes
(procedures.selectors.officer_scopes: once per request, no query on a warm cache)."""

from django.http import HttpRequest

from portal.roles import Role
from procedures.selectors import officer_scopes


def officer_links(request: HttpRequest) -> dict[str, object]:
    """ "Workspace" to whoever holds an officer role or the staff flag (an officer's account
    need not be staff), "Indicators" only to whom the dashboard opens (managers,
    superusers). Evaluated only when the header asks."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_officer": False, "shows_indicators": False}
    if user.is_superuser:
        return {"is_officer": True, "shows_indicators": True}
    return {
        "is_officer": lambda: user.is_staff or bool(officer_scopes(user)),
        "shows_indicators": lambda: Role.MANAGER in officer_scopes(user),
    }
