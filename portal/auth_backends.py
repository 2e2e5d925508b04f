"""Sign-in by email, phone number or username (officers), and the identity django-axes
counts failures against, so that "0912 345 678" and "+84912345678" are one account."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.http import HttpRequest

from portal.identity import normalise_phone
from portal.models import User


def phone_forms(value: str) -> list[str]:
    """The stored forms a typed phone number may take: 0912345678 and +84912345678."""
    digits = normalise_phone(value)
    if digits.startswith("+84"):
        return [f"0{digits[3:]}", digits]
    if digits.startswith("0"):
        return [digits, f"+84{digits[1:]}"]
    return [digits]


def canonical_phone(value: str) -> str:
    """What is stored: the national form, 0 followed by the subscriber number."""
    return phone_forms(value)[0]


def find_account(identifier: str) -> User | None:
    """The account a typed identifier names: a username (officers), else an email address,
    else a phone number. None when nothing matches or the identifier is ambiguous."""
    identifier = identifier.strip()
    if not identifier:
        return None
    user = User.objects.filter(username=identifier).first()
    if user is not None:
        return user
    if "@" in identifier:
        matches = User.objects.filter(email__iexact=identifier)
    else:
        matches = User.objects.filter(~Q(phone=""), phone__in=phone_forms(identifier))
    found = list(matches[:2])
    return found[0] if len(found) == 1 else None


class IdentifierBackend(ModelBackend):
    """ModelBackend that also accepts an email address or a phone number as the username."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None or password is None:
            return None
        user = find_account(username)
        if user is None:
            # As ModelBackend does: spend the time of a hash so that timing does not tell
            # whether the account exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def axes_username(request: HttpRequest, credentials: dict[str, Any] | None) -> str:
    """The name django-axes locks: the account's username when the identifier names one, so
    that typing the email, the phone number or the username counts against one lock, and a
    successful sign-in (which axes reports by username) clears the failures."""
    if credentials is not None:
        identifier = credentials.get("username") or ""
    else:
        identifier = getattr(request, "POST", {}).get("username", "")
    identifier = str(identifier).strip()
    cache = getattr(request, "_axes_accounts", None)
    if cache is None:
        cache = {}
        if request is not None:
            request._axes_accounts = cache  # type: ignore[attr-defined]
    if identifier not in cache:
        user = find_account(identifier)
        cache[identifier] = user.username if user is not None else identifier.lower()
    return cache[identifier]
