from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict[str, str]:
    return {"province_name": settings.PORTAL_PROVINCE_NAME}


def return_path(request: HttpRequest) -> dict[str, str]:
    """Where "sign in" and the language switch come back to: the page, without a query that
    carries a receipt's lookup secret (it must not travel into other links)."""
    if "secret" in request.GET:
        return {"return_path": request.path}
    return {"return_path": request.get_full_path()}


def officer_links(request: HttpRequest) -> dict[str, object]:
    """What the header offers an officer: "Workspace" to whoever holds an officer role or
    the staff flag (an officer's account need not be staff), "Indicators" only to whom the
    dashboard opens (managers, superusers). One query each, when the header asks."""
    from portal.roles import Role
    from procedures.models import Assignment

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"is_officer": False, "shows_indicators": False}
    if user.is_superuser:
        return {"is_officer": True, "shows_indicators": True}
    assignments = Assignment.objects.filter(user=user)
    return {
        "is_officer": lambda: user.is_staff or assignments.exists(),
        "shows_indicators": lambda: assignments.filter(role=Role.MANAGER).exists(),
    }
