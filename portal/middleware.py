from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext

from portal.api_errors import Problem, error_body


class LanguageMiddleware:
    """Vietnamese unless the visitor chose otherwise with the language switch.

    Django's LocaleMiddleware would follow the browser's Accept-Language, which shows
    English to most Vietnamese phones set to English; a public portal of a Vietnamese
    province speaks Vietnamese first and keeps English one click away (a cookie). The REST
    API, read by programs, follows Accept-Language when no cookie says otherwise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen not in self.available and is_api(request):
            # A program (the postal partner's) says which language it reads its errors in.
            chosen = translation.get_language_from_request(request)
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


class RejectNulMiddleware:
    """A NUL character in the path or the query string is never legitimate and PostgreSQL
    refuses it in text: answer 400 before any view builds a query with it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            message = gettext("NUL characters are not accepted.")
            if is_api(request):
                body = error_body([Problem("invalid_characters", message)])
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(message)
        return self.get_response(request)


def is_api(request: HttpRequest) -> bool:
    """The REST API answers in JSON, errors included; pages in HTML."""
    return request.path.startswith("/api/")
