"""The REST API's one exception handler (settings.REST_FRAMEWORK) and its schema: every
refusal answers the same JSON body, in the request's language,

    {"code": "dossier.invalid_transition", "message": "…", "field": null, "errors": [...]}

`code` is stable, for programs; `message` is for people (Vietnamese unless the language
cookie says English: portal.middleware.LanguageMiddleware); `field` names the input concerned
(dotted when nested: `applicant.name`) or is null; `errors` lists every problem, one item
(the same as the body) unless several inputs are refused at once. Service errors
(portal.service_errors), DRF's own exceptions and Django's Http404, PermissionDenied and
ValidationError all answer so, with their status: a refusal is never a 500."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from portal.service_errors import (
    InvalidDataError,
    ServiceDeniedError,
    ServiceError,
    ServiceNotFoundError,
    ServiceValidationError,
    render,
)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    field: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


def error_body(problems: Sequence[Problem], whole: Problem | None = None) -> dict[str, Any]:
    """The body for these problems; `whole` describes them together (by default the one
    problem, or InvalidDataError's summary for several)."""
    if whole is None:
        whole = problems[0] if len(problems) == 1 else _summary()
    return {**whole.as_dict(), "errors": [problem.as_dict() for problem in problems]}


def _summary() -> Problem:
    return Problem(InvalidDataError.code, str(InvalidDataError.message))


def _of_service_error(error: ServiceError) -> Problem:
    return Problem(error.code, str(error), error.field)


def service_error_body(error: ServiceError) -> dict[str, Any]:
    problems = [_of_service_error(problem) for problem in error.problems]
    whole = _of_service_error(error) if isinstance(error, InvalidDataError) else None
    return error_body(problems, whole)


def _field(path: Sequence[str]) -> str | None:
    names = [name for name in path if name not in (api_settings.NON_FIELD_ERRORS_KEY, "")]
    return ".".join(names) or None


def _flatten(details: Any, path: tuple[str, ...] = ()) -> Iterator[Problem]:
    """DRF's full details ({"message", "code"} leaves in lists and dicts) as problems."""
    if isinstance(details, Mapping) and set(details) == {"message", "code"}:
        yield Problem(str(details["code"] or "invalid"), str(details["message"]), _field(path))
    elif isinstance(details, Mapping):
        for key, value in details.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(details, list):
        for item in details:
            yield from _flatten(item, path)


def _of_django_validation(error: DjangoValidationError) -> list[Problem]:
    fields = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    return [
        Problem(
            item.code or "invalid",
            render(item.message, item.params or {}),
            None if field == NON_FIELD_ERRORS else field,
        )
        for field, items in fields.items()
        for item in items
    ]


def _headers(exc: exceptions.APIException) -> dict[str, str]:
    """The headers DRF's own handler sends: how to authenticate, when to try again."""
    headers = {}
    auth_header = getattr(exc, "auth_header", None)  # set by APIView.handle_exception
    if auth_header:
        headers["WWW-Authenticate"] = str(auth_header)
    wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
    if wait:
        headers["Retry-After"] = str(int(wait))
    return headers


def exception_handler(exc: Exception, context: Mapping[str, Any]) -> Response | None:
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: the body above for every refusal; None (a
    server error) only for what is not one."""
    headers: dict[str, str] = {}
    if isinstance(exc, ServiceError):
        body, status = service_error_body(exc), exc.http_status
    elif isinstance(exc, Http404):
        body, status = service_error_body(ServiceNotFoundError()), ServiceNotFoundError.http_status
    elif isinstance(exc, DjangoPermissionDenied):
        body, status = service_error_body(ServiceDeniedError()), ServiceDeniedError.http_status
    elif isinstance(exc, DjangoValidationError):
        body, status = error_body(_of_django_validation(exc)), ServiceValidationError.http_status
    elif isinstance(exc, exceptions.APIException):
        problems = list(_flatten(exc.get_full_details()))
        if not problems:
            problems = [Problem(exc.default_code, str(exc.default_detail))]
        body, status, headers = error_body(problems), exc.status_code, _headers(exc)
    else:
        return None
    set_rollback()
    return Response(body, status=status, headers=headers)


def as_field_error(error: ServiceError) -> serializers.ValidationError:
    """A service error raised by a serializer's field validation, keeping its code."""
    return serializers.ValidationError(str(error), code=error.code)


class ProblemOutput(serializers.Serializer[Any]):
    code = serializers.CharField(
        help_text="Stable code of the problem, e.g. `dossier.invalid_transition`, `required`."
    )
    message = serializers.CharField(
        help_text="What is wrong, for people: in Vietnamese, or in English when the "
        "request carries the language cookie `django_language=en`."
    )
    field = serializers.CharField(
        allow_null=True,
        help_text="The input concerned, dotted when nested (`applicant.name`), or null.",
    )


class ErrorOutput(ProblemOutput):
    # A field, not Serializer.errors: the serializer's metaclass takes declared fields
    # off the class.
    errors = ProblemOutput(  # type: ignore[assignment]
        many=True,
        help_text="Every problem: one, the same as above, unless several inputs are refused.",
    )


ERROR_DESCRIPTIONS = {
    "400": "The request is not valid: each problem names its input.",
    "401": "No valid credentials.",
    "403": "Not allowed for these credentials.",
    "404": "Not found, or not yours to see.",
    "409": "Conflicts with the current state: reload it and decide again.",
    "429": "Too many requests: `Retry-After` says when to try again.",
}


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's schema, with the error body documented for every status an
    operation can refuse with (unless the view documents that status itself)."""

    def _error_statuses(self) -> list[str]:
        statuses = ["400", "404"]
        permissions = getattr(self.view, "permission_classes", [])
        if any(permission is not AllowAny for permission in permissions):
            statuses += ["401", "403"]
        if self.method not in SAFE_METHODS:
            statuses.append("409")
        if getattr(self.view, "throttle_classes", []):
            statuses.append("429")
        return statuses

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)  # type: ignore[arg-type]
        if direction != "response":
            return responses
        respond: Callable[[OpenApiResponse, str], dict[str, Any]] = self._get_response_for_code
        for status in self._error_statuses():
            if status not in responses:
                described = OpenApiResponse(ErrorOutput, description=ERROR_DESCRIPTIONS[status])
                responses[status] = respond(described, status)
        return dict(sorted(responses.items()))
