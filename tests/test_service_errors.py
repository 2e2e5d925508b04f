"""Issue #17: every coded service error has a code of its own, in the agreed shape, and a
message translated into Vietnamese; each kind answers the HTTP status of its kind."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import translation

from portal.service_errors import (
    REGISTRY,
    InvalidStateError,
    ServiceConflictError,
    ServiceDeniedError,
    ServiceError,
    ServiceNotFoundError,
    ServiceValidationError,
)
from tests.service_errors import PLACEHOLDER, error_classes, sample

CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)?$")
ERRORS = error_classes()


def subclasses(cls: type) -> set[type]:
    return {cls} | {found for sub in cls.__subclasses__() for found in subclasses(sub)}


def test_every_service_error_is_registered_and_there_are_many() -> None:
    assert set(ERRORS) == subclasses(ServiceError)
    assert len(ERRORS) >= 80  # discovery found the apps' errors, not only the base classes


def test_no_two_errors_share_a_code() -> None:
    codes = [cls.code for cls in REGISTRY]

    assert sorted(code for code in set(codes) if codes.count(code) > 1) == []


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.code)
def test_each_error_names_its_own_code_and_message(cls: type[ServiceError]) -> None:
    assert ("code" in vars(cls), "message" in vars(cls)) == (True, True)
    assert CODE.match(cls.code), cls.code


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.code)
def test_each_message_has_a_vietnamese_translation(cls: type[ServiceError]) -> None:
    with translation.override("en"):
        english = str(cls.message)
    with translation.override("vi"):
        vietnamese = str(cls.message)

    assert vietnamese != english, f"{cls.code}: {english!r} is not translated"
    assert sorted(PLACEHOLDER.findall(vietnamese)) == sorted(PLACEHOLDER.findall(english))


@pytest.mark.parametrize("cls", ERRORS, ids=lambda cls: cls.code)
def test_each_error_is_shown_whole_in_the_readers_language(cls: type[ServiceError]) -> None:
    error = sample(cls)

    with translation.override("vi"):
        shown = str(error)

        expected = str(cls.message) % {name: str(value) for name, value in error.params.items()}

    assert "%(" not in shown
    assert shown == expected


@pytest.mark.parametrize(
    ("kind", "status", "django_kind"),
    [
        (ServiceDeniedError, 403, PermissionDenied),
        (ServiceNotFoundError, 404, Http404),
        (ServiceConflictError, 409, None),
        (InvalidStateError, 409, None),
        (ServiceValidationError, 400, ValidationError),
    ],
)
def test_each_kind_answers_its_status_and_is_what_django_expects(
    kind: type[ServiceError], status: int, django_kind: type[Exception] | None
) -> None:
    members = [cls for cls in ERRORS if issubclass(cls, kind)]

    assert {cls.http_status for cls in members} == {status}
    if django_kind is not None:
        assert all(issubclass(cls, django_kind) for cls in members)


def test_statuses_are_those_of_the_api_contract() -> None:
    assert {cls.http_status for cls in ERRORS} == {400, 403, 404, 409}
