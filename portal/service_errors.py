"""Coded service errors: what a service refuses, as a stable code for programs, a message
for people and the field it concerns (STYLE.md, "APIs, tasks, errors").

The message is a lazy translation with %(name)s parameters, rendered in the reader's
language only when shown: `str(error)` in a view, the JSON body of the API's exception
handler (portal.api_errors). Each class has its own code; the registry lets the tests check
every code once (unique, translated into Vietnamese). Denials are also Django's
PermissionDenied, missing things Http404 and invalid data ValidationError, so a view that
does not catch them still answers 403, 404 or shows the form errors, and the existing
`except PermissionDenied` / `except ValidationError` keep working."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

REGISTRY: list[type[ServiceError]] = []


def render(message: StrOrPromise, params: dict[str, Any]) -> str:
    """The message in the active language, its parameters filled in (they may be lazy
    too, e.g. a status label)."""
    text = str(message)
    return text % {name: str(value) for name, value in params.items()} if params else text


def _restore(cls: type[ServiceError], state: dict[str, Any]) -> ServiceError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, cls.code)
    return error


class ServiceError(Exception):
    """A refusal of a service. Subclasses set `code`, `message`, `http_status` and, for a
    refusal about one input, `field`; parameters of the message are keyword arguments."""

    # Class attributes, not ClassVar: Django's ValidationError, a base of some subclasses,
    # declares `code` and `message` on its instances.
    code: str = "error"
    message: StrOrPromise = _("This cannot be done.")
    http_status: int = 400
    field: str | None = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        REGISTRY.append(cls)

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        Exception.__init__(self, self.code)
        if field is not None:
            self.field = field
        self.params: dict[str, Any] = params

    def __str__(self) -> str:
        return render(self.message, self.params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r}, field={self.field!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keyword-only constructors: rebuilt from the state, not from `args`.
        return (_restore, (type(self), self.__dict__.copy()))

    @property
    def problems(self) -> Sequence[ServiceError]:
        """Each thing wrong: this error, or for InvalidDataError each of its errors."""
        return [self]


REGISTRY.append(ServiceError)


class ServiceDeniedError(ServiceError, PermissionDenied):
    """The actor may not do this (403)."""

    code = "permission_denied"
    message = _("You may not do this.")
    http_status = 403


class ServiceNotFoundError(ServiceError, Http404):
    """What the actor names does not exist, or is not theirs to see (404)."""

    code = "not_found"
    message = _("Not found.")
    http_status = 404


class ServiceConflictError(ServiceError):
    """Something changed meanwhile, or is already so (409)."""

    code = "conflict"
    message = _("This was changed meanwhile: reload and try again.")
    http_status = 409


class InvalidStateError(ServiceError):
    """Not in the state the thing is in now (409)."""

    code = "invalid_state"
    message = _("This cannot be done in the current state.")
    http_status = 409


# `params` is never None here, unlike on a plain ValidationError.
class ServiceValidationError(ServiceError, ValidationError):  # type: ignore[misc]
    """A value the service does not accept (400), reported under its field as Django's
    ValidationError is (`message_dict`, `messages`), so forms show it next to the field."""

    code = "invalid"
    message = _("This value is not valid.")

    def __init__(self, *, field: str | None = None, **params: Any) -> None:
        ServiceError.__init__(self, field=field, **params)
        ValidationError.__init__(self, self._error_dict())

    def _error_dict(self) -> dict[str, ValidationError]:
        return {
            problem.field or NON_FIELD_ERRORS: ValidationError(
                problem.message, code=problem.code, params=problem.params
            )
            for problem in self.problems
        }

    def __str__(self) -> str:
        return ServiceError.__str__(self)

    def __repr__(self) -> str:
        return ServiceError.__repr__(self)

    def for_field(self) -> ValidationError:
        """This refusal as a form field's own error, for its clean method (which cannot
        raise errors keyed by field); still translated when shown."""
        return ValidationError(self.message, code=self.code, params=self.params)


class InvalidDataError(ServiceValidationError):
    """Several values refused at once, each under its own field (`problems`)."""

    code = "invalid_data"
    message = _("Some of the data is not valid: see each field.")

    def __init__(self, problems: Sequence[ServiceValidationError]) -> None:
        self._problems = [error for problem in problems for error in problem.problems]
        ServiceValidationError.__init__(self)

    def _error_dict(self) -> dict[str, ValidationError]:
        merged: dict[str, list[ValidationError]] = {}
        for problem in self._problems:
            merged.setdefault(problem.field or NON_FIELD_ERRORS, []).append(
                ValidationError(problem.message, code=problem.code, params=problem.params)
            )
        return {field: ValidationError(errors) for field, errors in merged.items()}

    @property
    def problems(self) -> Sequence[ServiceError]:
        return self._problems


def refuse(problems: Sequence[ServiceValidationError]) -> None:
    """Raise what was found wrong: nothing, the one problem, or all of them at once."""
    if len(problems) == 1:
        raise problems[0]
    if problems:
        raise InvalidDataError(problems)
