"""Webhooks to postal partners: dossier received or refused, result ready. Collected from
the audit log (the dossiers app knows nothing of partners), signed with HMAC-SHA256 over
the timestamp and the body, retried with exponential backoff; after repeated failures the
partner's endpoint is disabled until an administrator resends."""

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from dossiers.models import Dossier
from portal import audit
from portal.models import AuditEvent
from reception.models import PartnerClient, Shipment, WebhookCursor, WebhookDelivery

EVENTS = {
    "dossiers.received": "dossier.received",
    "dossiers.rejected": "dossier.refused",
    "dossiers.completed": "dossier.result_ready",
}
SIGNATURE_HEADER = "X-Portal-Signature"
TIMEOUT_SECONDS = 10


class WebhookError(Exception):
    """The partner's endpoint did not take the delivery; try again later."""


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def payload(event: str, dossier: Dossier, occurred_at) -> dict:
    return {
        "event": event,
        "occurred_at": occurred_at.isoformat(),
        "dossier": {
            "reference": dossier.reference,
            "code": dossier.code,
            "status": dossier.status,
            "procedure": dossier.procedure.code,
            "reception_point": dossier.reception_point.code if dossier.reception_point else None,
            "due_at": dossier.due_at.isoformat() if dossier.due_at else None,
        },
    }


def webhooks_collect(*, batch: int = 500) -> list[int]:
    """Turn new audit events about partners' dossiers into deliveries (idempotent: one
    delivery per partner and event). Returns the ids created."""
    dossier_type = ContentType.objects.get_for_model(Dossier)
    cursor = WebhookCursor.objects.get_or_create(pk=1)[0]
    after = cursor.last_event_id
    events = list(
        AuditEvent.objects.filter(
            pk__gt=after, event__in=EVENTS, target_type=dossier_type
        ).order_by("pk")[:batch]
    )
    if not events:
        return []
    carried: dict[str, set[PartnerClient]] = {}
    for shipment in Shipment.objects.filter(
        dossier_id__in={e.target_id for e in events}
    ).select_related("client", "dossier__procedure", "dossier__reception_point"):
        carried.setdefault(str(shipment.dossier_id), set()).add(shipment.client)
    created = []
    with transaction.atomic():
        for event in events:
            for client in carried.get(event.target_id, ()):
                if not client.webhook_url or client.webhook_disabled_at:
                    continue
                dossier = Dossier.objects.select_related("procedure", "reception_point").get(
                    pk=event.target_id
                )
                delivery, made = WebhookDelivery.objects.get_or_create(
                    client=client,
                    source_event_id=event.pk,
                    defaults={
                        "event": EVENTS[event.event],
                        "dossier": dossier,
                        "payload": payload(EVENTS[event.event], dossier, event.created_at),
                    },
                )
                if made:
                    created.append(delivery.pk)
        # Moved in the same transaction: a crash never skips or repeats an event.
        WebhookCursor.objects.filter(pk=1).update(last_event_id=events[-1].pk)
    return created


def webhook_deliver(*, delivery_id: int) -> str:
    """POST one delivery; raise WebhookError to be retried. After the last attempt the
    delivery fails and, after several failed deliveries in a row, the endpoint is disabled."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .select_related("client")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return "nothing to send"
        client = delivery.client
        if client.webhook_disabled_at or not client.webhook_url:
            return "endpoint disabled"
        delivery.attempts += 1
        body = json.dumps(delivery.payload, ensure_ascii=False).encode()
        timestamp = int(time.time())
        request = urllib.request.Request(  # noqa: S310 - the administrator's https/http URL
            client.webhook_url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "one-stop-portal",
                SIGNATURE_HEADER: sign(client.webhook_secret, timestamp, body),
                "X-Portal-Delivery": str(delivery.pk),
            },
        )
        error = None
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                delivery.last_status_code = answer.status
        except urllib.error.HTTPError as refused:
            delivery.last_status_code, error = refused.code, f"HTTP {refused.code}"
        except (urllib.error.URLError, OSError) as unreachable:
            delivery.last_status_code, error = None, f"{type(unreachable).__name__}: {unreachable}"
        if error is None:
            delivery.status, delivery.sent_at, delivery.last_error = (
                WebhookDelivery.Status.SENT,
                timezone.now(),
                "",
            )
            client.webhook_failures = 0
        else:
            delivery.last_error = error[:300]
            if delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
                delivery.status = WebhookDelivery.Status.FAILED
                client.webhook_failures += 1
                if client.webhook_failures >= settings.WEBHOOK_DISABLE_AFTER:
                    client.webhook_disabled_at = timezone.now()
        delivery.save()
        client.save(update_fields=["webhook_failures", "webhook_disabled_at"])
    if error is not None and delivery.status == WebhookDelivery.Status.PENDING:
        raise WebhookError(error)
    return delivery.status


@transaction.atomic
def webhooks_resend(*, client: PartnerClient, ids: list[int] | None = None, actor=None) -> int:
    """Gửi lại: re-enable the endpoint and queue its failed (or chosen) deliveries again."""
    deliveries = client.webhooks.filter(status=WebhookDelivery.Status.FAILED)
    if ids is not None:
        deliveries = client.webhooks.filter(pk__in=ids).exclude(status=WebhookDelivery.Status.SENT)
    count = deliveries.update(status=WebhookDelivery.Status.PENDING, attempts=0)
    client.webhook_disabled_at, client.webhook_failures = None, 0
    client.save(update_fields=["webhook_disabled_at", "webhook_failures"])
    audit.record(
        actor=actor, event="reception.webhooks_resent", target=client, data={"deliveries": count}
    )
    return count


def pending_ids(older_than: timedelta = timedelta(0)) -> list[int]:
    cutoff = timezone.now() - older_than
    return list(
        WebhookDelivery.objects.filter(
            status=WebhookDelivery.Status.PENDING, created_at__lte=cutoff, attempts=0
        ).values_list("pk", flat=True)[:1000]
    )
