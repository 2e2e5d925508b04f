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
