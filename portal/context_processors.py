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
    """Whether the header offers "Indicators": only to whom the dashboard opens (managers,
    superusers); one query, when the header asks."""
    from portal.roles import Role
    from procedures.models import Assignment

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_staff:
        return {"shows_indicators": False}
    if user.is_superuser:
        return {"shows_indicators": True}
    return {
        "shows_indicators": lambda: Assignment.objects.filter(user=user, role=Role.MANAGER).exists()
    }
