from celery import shared_task

from reception.postal import webhooks


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(webhooks.WebhookError,),
    retry_backoff=30,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=None,
)
def deliver_webhook(self, delivery_id: int) -> str:
    return webhooks.webhook_deliver(delivery_id=delivery_id)


@shared_task(acks_late=True)
def collect_webhooks() -> int:
    """Every minute: new deliveries from the audit log, and pending ones never tried."""
    created = webhooks.webhooks_collect()
    for delivery_id in set(created) | set(webhooks.pending_ids()):
        deliver_webhook.delay(delivery_id)
    return len(created)
