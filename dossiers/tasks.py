"""Celery tasks: thin, take ids as strings, idempotent, safe to retry."""

from celery import shared_task

from dossiers.services import alerts, notifications


@shared_task(
    name=notifications.SEND_NOTIFICATION,
    bind=True,
    acks_late=True,
    autoretry_for=(notifications.DeliveryError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=None,  # the outbox row counts attempts and gives up (NOTIFICATION_MAX_ATTEMPTS)
)
def send_notification(self, notification_id: str) -> str:
    return notifications.notification_send(notification_id=notification_id)


@shared_task(acks_late=True)
def sweep_notifications() -> int:
    return notifications.notifications_sweep()


@shared_task(acks_late=True)
def mark_deadlines() -> dict[str, int]:
    return alerts.dossiers_mark_deadlines()
