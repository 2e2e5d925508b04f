"""Partner clients and their API keys: created by administrators, the secret shown once
and stored hashed, rotated with a grace period, revoked at once."""

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal import audit
from portal.models import User
from portal.roles import Role
from procedures.models import AdministrativeUnit, Assignment, ReceptionPoint
from reception.models import SCOPES, PartnerClient, PartnerKey

KEY_SCHEME = "Api-Key"
ROTATION_GRACE = timedelta(hours=24)


def _hash(secret: str) -> str:
    # The secret is 32 random bytes: a plain SHA-256 is enough, no salt or stretching.
    return hashlib.sha256(secret.encode()).hexdigest()


def _new_key(client: PartnerClient) -> str:
    prefix, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    PartnerKey.objects.create(client=client, prefix=prefix, secret_hash=_hash(secret))
    return f"{prefix}.{secret}"


@dataclass(frozen=True)
class NewClient:
    client: PartnerClient
    api_key: str  # shown once
    webhook_secret: str


@transaction.atomic
def partner_create(
    *,
    code: str,
    name: str,
    scopes: list[str],
    reception_points: Sequence[ReceptionPoint] = (),
    units: Sequence[AdministrativeUnit] = (),
    webhook_url: str = "",
    actor: User | None,
) -> NewClient:
    """Đối tác bưu chính: a partner client with its service account, scope and first key."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ValueError(f"unknown scopes: {', '.join(unknown)}")
    account = get_user_model().objects.create_user(username=f"partner-{code}", full_name=name)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    client = PartnerClient.objects.create(
        code=code,
        name=name,
        account=account,
        scopes=list(scopes),
        webhook_url=webhook_url,
        webhook_secret=secrets.token_hex(32),
    )
    for point in reception_points:
        Assignment.objects.create(user=account, role=Role.POSTAL_PARTNER, reception_point=point)
    for unit in units:
        Assignment.objects.create(user=account, role=Role.POSTAL_PARTNER, unit=unit)
    key = _new_key(client)
    audit.record(
        actor=actor, event="reception.partner_created", target=client, data={"scopes": list(scopes)}
    )
    return NewClient(client, key, client.webhook_secret)


@transaction.atomic
def partner_key_rotate(*, client: PartnerClient, actor: User | None) -> str:
    """A new key; the current ones keep working for a day so the partner can switch."""
    grace_end = timezone.now() + ROTATION_GRACE
    client.keys.filter(revoked_at__isnull=True).filter(expires_at__isnull=True).update(
        expires_at=grace_end
    )
    key = _new_key(client)
    audit.record(actor=actor, event="reception.partner_key_rotated", target=client)
    return key


@transaction.atomic
def partner_key_revoke(*, key: PartnerKey, actor: User | None) -> None:
    key.revoked_at = timezone.now()
    key.save(update_fields=["revoked_at"])
    audit.record(
        actor=actor,
        event="reception.partner_key_revoked",
        target=key.client,
        data={"prefix": key.prefix},
    )


def partner_for_key(presented: str) -> PartnerClient | None:
    """The active partner whose live key this is, else None (never says which part failed)."""
    prefix, _, secret = presented.partition(".")
    key = (
        PartnerKey.objects.select_related("client", "client__account")
        .filter(prefix=prefix, revoked_at__isnull=True)
        .first()
    )
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    now = timezone.now()
    if key.expires_at is not None and key.expires_at <= now:
        return None
    if not key.client.is_active:
        return None
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        PartnerKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key.client
