"""Citizen accounts: the only writers of sign-up, email verification, profile changes and
the account emails. Mail leaves after commit through a Celery task that retries; the
account never depends on the mail server, and the person can ask for the email again."""

import logging
import secrets
import smtplib
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy

from portal import audit, dispatch
from portal.auth_backends import phone_forms
from portal.models import User
from portal.resilience import cache_fails_open

logger = logging.getLogger(__name__)

VERIFY_EMAIL = "verify_email"
RESET_LINK = "password_reset"
# An officer's first password, chosen through the same one-time link as a reset.
SET_PASSWORD = "set_password"  # noqa: S105 (an email kind, not a secret)
EMAIL_KINDS = (VERIFY_EMAIL, RESET_LINK, SET_PASSWORD)
_VERIFY_SALT = "portal.accounts.verify-email"
# The task that sends one account email (portal.tasks), queued by this name.
SEND_ACCOUNT_EMAIL = "portal.tasks.send_account_email"

TAKEN = {
    "email": gettext_lazy("An account with this email address already exists."),
    "phone": gettext_lazy("An account with this phone number already exists."),
    "citizen_id": gettext_lazy("An account with this citizen ID already exists."),
}


class VerificationLinkError(Exception):
    """The verification link is not one we made for the account's current email."""


class VerificationLinkExpiredError(VerificationLinkError):
    """The link is genuine but older than ACCOUNT_EMAIL_VERIFICATION_MAX_AGE."""


class ResendTooSoonError(Exception):
    """A verification email left less than ACCOUNT_EMAIL_RESEND_SECONDS ago."""

    def __init__(self, seconds_left: int) -> None:
        super().__init__(seconds_left)
        self.seconds_left = seconds_left


class AccountEmailError(Exception):
    """The mail server refused or could not be reached; the task tries again later."""


def _taken(*, email: str, phone: str, citizen_id: str, exclude: int | None) -> dict[str, Any]:
    others = User.objects.exclude(pk=exclude) if exclude is not None else User.objects.all()
    errors: dict[str, Any] = {}
    if email and others.filter(email__iexact=email).exists():
        errors["email"] = TAKEN["email"]
    if phone and others.filter(~Q(phone=""), phone__in=phone_forms(phone)).exists():
        errors["phone"] = TAKEN["phone"]
    if citizen_id and others.filter(citizen_id=citizen_id).exists():
        errors["citizen_id"] = TAKEN["citizen_id"]
    return errors


def _save_unique(user: User, *, exclude: int | None) -> None:
    """Save, turning a lost race on the unique constraints into the field's error."""
    errors = _taken(email=user.email, phone=user.phone, citizen_id=user.citizen_id, exclude=exclude)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        # Another request took the email, phone or ID between the check and the save.
        errors = _taken(
            email=user.email, phone=user.phone, citizen_id=user.citizen_id, exclude=exclude
        )
        raise ValidationError(errors or TAKEN["email"]) from None


def _new_username() -> str:
    while True:
        username = f"citizen-{secrets.token_hex(6)}"
        if not User.objects.filter(username=username).exists():
            return username


@transaction.atomic
def account_sign_up(
    *, full_name: str, email: str, phone: str, citizen_id: str, password: str, language: str
) -> User:
    """Đăng ký tài khoản: create a citizen's account; the verification email leaves after
    commit. Raises ValidationError naming the field already taken."""
    now = timezone.now()
    user = User(
        username=_new_username(),
        full_name=full_name,
        email=email,
        phone=phone,
        citizen_id=citizen_id,
        email_verification_sent_at=now if email else None,
    )
    user.set_password(password)
    _save_unique(user, exclude=None)
    audit.record(
        actor=user,
        event="portal.account_created",
        target=user,
        data={"email": bool(email), "phone": bool(phone), "citizen_id": bool(citizen_id)},
    )
    if email:
        account_email_after_commit(user_id=user.pk, kind=VERIFY_EMAIL, language=language)
    return user


@transaction.atomic
def account_update_profile(
    *, user: User, full_name: str, email: str, phone: str, citizen_id: str, language: str
) -> User:
    """Cập nhật thông tin tài khoản: change the profile; a new email must be verified again."""
    account = User.objects.select_for_update().get(pk=user.pk)
    new = {"full_name": full_name, "email": email, "phone": phone, "citizen_id": citizen_id}
    changed = sorted(field for field, value in new.items() if getattr(account, field) != value)
    if not changed:
        return account
    email_changed = account.email.lower() != email.lower()
    for field, value in new.items():
        setattr(account, field, value)
    if email_changed:
        account.email_verified_at = None
        account.email_verification_sent_at = timezone.now() if email else None
    _save_unique(account, exclude=account.pk)
    audit.record(
        actor=account, event="portal.profile_updated", target=account, data={"fields": changed}
    )
    if email_changed and email:
        account_email_after_commit(user_id=account.pk, kind=VERIFY_EMAIL, language=language)
    return account


def resend_wait(user: User, *, now: datetime | None = None) -> int:
    """Seconds before another verification email may be asked for (0: now)."""
    if user.email_verification_sent_at is None:
        return 0
    elapsed = ((now or timezone.now()) - user.email_verification_sent_at).total_seconds()
    return max(0, int(settings.ACCOUNT_EMAIL_RESEND_SECONDS - elapsed + 0.999))


@transaction.atomic
def account_request_email_verification(*, user: User, language: str) -> bool:
    """Gửi lại thư xác thực: send the verification link again, at most once a minute.
    False when there is nothing to verify; ResendTooSoonError when asked too soon."""
    account = User.objects.select_for_update().get(pk=user.pk)
    if not account.email or account.email_verified_at is not None:
        return False
    now = timezone.now()
    wait = resend_wait(account, now=now)
    if wait:
        raise ResendTooSoonError(wait)
    account.email_verification_sent_at = now
    account.save(update_fields=["email_verification_sent_at"])
    account_email_after_commit(user_id=account.pk, kind=VERIFY_EMAIL, language=language)
    return True


def _email_digest(email: str) -> str:
    # The link names the email it was sent to without showing it: a changed email voids it.
    return salted_hmac(_VERIFY_SALT, email.lower()).hexdigest()[:24]


def email_verification_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": _email_digest(user.email)}, salt=_VERIFY_SALT)


@transaction.atomic
def account_verify_email(*, token: str) -> User:
    """Xác thực thư điện tử: mark the account's email verified from the mailed link."""
    max_age = settings.ACCOUNT_EMAIL_VERIFICATION_MAX_AGE
    try:
        payload = signing.loads(token, salt=_VERIFY_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise VerificationLinkExpiredError from None
    except signing.BadSignature:
        raise VerificationLinkError from None
    if not isinstance(payload, dict) or not isinstance(payload.get("u"), int):
        raise VerificationLinkError
    account = User.objects.select_for_update().filter(pk=payload["u"]).first()
    if account is None or not account.email or payload.get("e") != _email_digest(account.email):
        raise VerificationLinkError
    if account.email_verified_at is None:
        account.email_verified_at = timezone.now()
        account.save(update_fields=["email_verified_at"])
        audit.record(actor=account, event="portal.email_verified", target=account)
    return account


def account_password_reset_request(*, email: str, language: str) -> None:
    """Quên mật khẩu: mail a reset link to the active accounts with this email, at most one
    a minute each; says nothing about whether any exists."""
    accounts = User.objects.filter(email__iexact=email, is_active=True)
    for account in accounts:
        if not account.has_usable_password():
            continue
        if _first_reset_this_minute(account.pk):
            account_email_after_commit(user_id=account.pk, kind=RESET_LINK, language=language)


@cache_fails_open(True, "password reset mails not limited")
def _first_reset_this_minute(account_id: int) -> bool:
    return cache.add(f"accounts:reset:{account_id}", 1, settings.ACCOUNT_EMAIL_RESEND_SECONDS)


def account_email_after_commit(*, user_id: int, kind: str, language: str) -> None:
    """Queue an account email once the transaction commits; a dead broker is logged."""

    def not_sent(exc: Exception) -> None:
        # The account stands; the person can ask for the email again.
        logger.warning(
            "account email %s for user %s not sent: %s", kind, user_id, type(exc).__name__
        )

    dispatch.send_after_commit(
        SEND_ACCOUNT_EMAIL, str(user_id), kind, language, on_failure=not_sent
    )


def account_link(kind: str, user: User) -> str:
    """The absolute link an account email carries (made when sent, never stored)."""

    if kind == VERIFY_EMAIL:
        path = reverse("portal:verify-email", kwargs={"token": email_verification_token(user)})
    else:
        path = reverse(
            "portal:password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        )
    return settings.PUBLIC_BASE_URL.rstrip("/") + path


def account_email_send(*, user_id: int, kind: str, language: str) -> str:
    """Render and send one account email; raise AccountEmailError to be retried later.
    The link is made here, at sending time, so no token waits in the broker."""
    if kind not in EMAIL_KINDS:
        raise ValueError(kind)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return "nothing to send"
    if kind == VERIFY_EMAIL and user.email_verified_at is not None:
        return "already verified"
    if kind == RESET_LINK and not user.has_usable_password():
        return "nothing to send"
    if kind == SET_PASSWORD and user.has_usable_password():
        return "password already chosen"
    hours = (
        int(
            settings.ACCOUNT_EMAIL_VERIFICATION_MAX_AGE.total_seconds()
            if kind == VERIFY_EMAIL
            else settings.PASSWORD_RESET_TIMEOUT
        )
        // 3600
    )
    context = {
        "user": user,
        "link": account_link(kind, user),
        "hours": hours,
        "province_name": settings.PORTAL_PROVINCE_NAME,
    }
    available = {code for code, _ in settings.LANGUAGES}
    with translation.override(language if language in available else settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"portal/emails/{kind}_subject.txt", context).split())
        body = render_to_string(f"portal/emails/{kind}.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        # Only the kind of failure: an SMTP refusal may quote the address.
        raise AccountEmailError(type(exc).__name__) from None
    return "sent"
