"""Applicant and officer notifications through an outbox: the Notification row is written
in the transaction of the change it announces; Celery sends it after commit and retries;
a periodic sweep sends what a dead broker never delivered. Nothing is dropped."""

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from dossiers.models import Dossier, Notification
from portal import audit, dispatch
from portal.models import User

logger = logging.getLogger(__name__)

# Kind → e-mail subject; rendered in Vietnamese, the applicants' and officers' language.
APPLICANT_KINDS = {
    "received": _("Dossier %(code)s has been received"),
    "rejected": _("Dossier %(code)s was not accepted"),
    "supplement_requested": _("Dossier %(code)s needs more papers"),
    "financial_obligation": _("Dossier %(code)s: financial obligation to fulfil"),
    "apology": _("Apology and new date for dossier %(code)s"),
    "stopped": _("Processing of dossier %(code)s has been stopped"),
    "result_ready": _("The result of dossier %(code)s is ready"),
}
OFFICER_KINDS = {
    "due_soon": _("Dossier %(code)s is due soon"),
    "overdue": _("Dossier %(code)s is overdue"),
}
MAX_ATTEMPTS = settings.NOTIFICATION_MAX_ATTEMPTS
# Longer than the longest backoff between two attempts (dossiers.tasks: one hour).
RETRY_CHAIN_SILENCE = timedelta(hours=2)
# The task that sends one notification (dossiers.tasks), queued by this name.
SEND_NOTIFICATION = "dossiers.tasks.send_notification"


def queue_for_applicant(dossier: Dossier, kind: str) -> list[Notification]:
    """Write the e-mail and SMS announcing `kind`; they leave after commit."""
    my_dossier = reverse("citizen:my-dossier", args=[dossier.pk])
    context = {
        "dossier": dossier,
        "code": str(dossier),
        "my_dossier_url": settings.PUBLIC_BASE_URL.rstrip("/") + my_dossier,
    }
    with translation.override("vi"):
        body = render_to_string(f"dossiers/notifications/{kind}.txt", context).strip()
        sms = render_to_string(f"dossiers/notifications/{kind}.sms.txt", context).strip()
        subject = str(APPLICANT_KINDS[kind]) % {"code": dossier}
    rows = []
    if dossier.applicant_email:
        rows.append(
            Notification(
                dossier=dossier,
                medium=Notification.Medium.EMAIL,
                kind=kind,
                recipient=dossier.applicant_email,
                subject=subject,
                body=body,
            )
        )
    if dossier.applicant_phone:
        rows.append(
            Notification(
                dossier=dossier,
                medium=Notification.Medium.SMS,
                kind=kind,
                recipient=dossier.applicant_phone,
                body=sms,
            )
        )
    return _queue(rows)


def queue_for_officers(dossier: Dossier, kind: str, officers: Iterable[User]) -> list[Notification]:
    my_dossier = reverse("citizen:my-dossier", args=[dossier.pk])
    context = {
        "dossier": dossier,
        "code": str(dossier),
        "my_dossier_url": settings.PUBLIC_BASE_URL.rstrip("/") + my_dossier,
    }
    with translation.override("vi"):
        body = render_to_string(f"dossiers/notifications/{kind}.txt", context).strip()
        subject = str(OFFICER_KINDS[kind]) % {"code": dossier}
    rows = [
        Notification(
            dossier=dossier,
            medium=Notification.Medium.EMAIL,
            kind=kind,
            recipient=officer.email,
            subject=subject,
            body=body,
        )
        for officer in officers
        if officer.email
    ]
    return _queue(rows)


def _queue(rows: list[Notification]) -> list[Notification]:
    created = Notification.objects.bulk_create(rows)
    ids = [str(row.pk) for row in created]
    if ids:
        transaction.on_commit(lambda: enqueue(ids))
    return created


def enqueue(ids: Iterable[str]) -> None:
    """Hand notifications to Celery; if the broker is down they stay pending for the sweep."""
    for notification_id in ids:
        try:
            dispatch.send(SEND_NOTIFICATION, notification_id)
        except Exception:  # the broker is unreachable: the sweep will send it
            logger.warning(
                "notification %s left for the sweep: broker unavailable", notification_id
            )


class DeliveryError(Exception):
    """The mail server or SMS gateway refused or could not be reached; try again later."""


def notification_send(*, notification_id: str) -> str:
    """Send one pending notification; raise DeliveryError to be retried later."""
    error: Exception | None = None
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True)
            .filter(pk=notification_id, status=Notification.Status.PENDING)
            .first()
        )
        if notification is None:
            return "nothing to send"
        notification.attempts += 1
        notification.last_attempt_at = timezone.now()
        try:
            _deliver(notification)
        except Exception as exc:
            error = exc
            notification.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = Notification.Status.FAILED
        else:
            notification.status = Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.last_error = ""
        notification.save(
            update_fields=["attempts", "last_attempt_at", "status", "sent_at", "last_error"]
        )
    if error is not None and notification.status == Notification.Status.PENDING:
        raise DeliveryError(str(error)) from error
    return notification.status


def _deliver(notification: Notification) -> None:
    if notification.medium == Notification.Medium.EMAIL:
        send_mail(
            notification.subject,
            notification.body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient],
            fail_silently=False,
        )
    else:
        backend = import_string(settings.SMS_BACKEND)()
        backend.send(notification.recipient, notification.body)


def notifications_sweep(*, older_than_seconds: int = 120) -> int:
    """Re-enqueue what the broker may have lost: notifications never tried, and those whose
    retry chain went quiet for longer than the longest backoff. A notification Celery is
    still retrying is left alone, or each sweep would spend one of its attempts."""
    now = timezone.now()
    never_tried = Q(attempts=0, created_at__lt=now - timedelta(seconds=older_than_seconds))
    chain_lost = Q(attempts__gt=0, last_attempt_at__lt=now - RETRY_CHAIN_SILENCE)
    ids = [
        str(pk)
        for pk in Notification.objects.filter(
            never_tried | chain_lost, status=Notification.Status.PENDING
        ).values_list("pk", flat=True)[:1000]
    ]
    enqueue(ids)
    return len(ids)


@transaction.atomic
def notifications_resend(*, ids: Iterable[int], actor: User | None) -> int:
    """Gửi lại: give failed notifications a fresh set of attempts."""

    failed = list(
        Notification.objects.select_for_update().filter(
            pk__in=list(ids), status=Notification.Status.FAILED
        )
    )
    for notification in failed:
        notification.status = Notification.Status.PENDING
        notification.attempts = 0
        notification.save(update_fields=["status", "attempts"])
        audit.record(actor=actor, event="dossiers.notification_resent", target=notification)
    resent = [str(n.pk) for n in failed]
    transaction.on_commit(lambda: enqueue(resent))
    return len(resent)
