"""The postal partner (Decision 45/2016) as an API client: keys, scopes, shipments,
idempotent requests and signed webhooks."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

SCOPES = {
    "pickups:create": _("Create pickups (dossiers collected at home)"),
    "shipments:write": _("Post shipment events"),
    "results:read": _("Read the results ready for delivery and confirm deliveries"),
    "dossiers:read": _("Read the state of the partner's dossiers"),
}


def default_requests_per_minute() -> int:
    return settings.PARTNER_REQUESTS_PER_MINUTE


class PartnerClient(models.Model):
    """An API partner, acting through its own service account, which holds the
    postal-partner role for the reception points or units it may serve."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    account = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="partner_client"
    )
    scopes = models.JSONField(_("scopes"), default=list)
    requests_per_minute = models.PositiveIntegerField(
        _("requests per minute"), default=default_requests_per_minute
    )
    webhook_url = models.URLField(_("webhook URL"), blank=True)
    # Used to sign webhooks, so it is kept (shown to the partner once).
    webhook_secret = models.CharField(max_length=64, blank=True, editable=False)
    webhook_failures = models.PositiveIntegerField(default=0, editable=False)
    webhook_disabled_at = models.DateTimeField(_("webhooks disabled"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("partner client")
        verbose_name_plural = _("partner clients")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    def allows(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes


class PartnerKey(models.Model):
    """An API key: `prefix.secret`; only a hash of the secret is stored. Rotation gives a
    new key and lets the old one run until its expiry; revocation ends it at once."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="keys")
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}…"


class IdempotencyRecord(models.Model):
    """The response given to a POST with an Idempotency-Key, replayed for the same key
    and body; another body under the same key is a conflict."""

    client = models.ForeignKey(PartnerClient, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "key"], name="idempotency_client_key")
        ]

    def __str__(self) -> str:
        return f"{self.client_id}:{self.key}"


class Shipment(models.Model):
    """A postal bill: the dossier travelling to the reception point, or the result
    travelling back to the applicant."""

    class Direction(models.TextChoices):
        DOSSIER = "dossier", _("Dossier to the reception point")
        RESULT = "result", _("Result to the applicant")

    class Service(models.TextChoices):
        SEND_DOSSIER = "send_dossier", _("Send the dossier")
        RECEIVE_RESULT = "receive_result", _("Receive the result")
        BOTH = "both", _("Both")

    client = models.ForeignKey(PartnerClient, on_delete=models.PROTECT, related_name="shipments")
    dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.PROTECT, related_name="shipments"
    )
    direction = models.CharField(max_length=8, choices=Direction.choices)
    service = models.CharField(max_length=16, choices=Service.choices)
    bill_number = models.CharField(_("postal bill number"), max_length=40)
    sealed_package = models.CharField(_("sealed package number"), max_length=40, blank=True)
    fees_collected = models.PositiveBigIntegerField(_("fees collected (VND)"), default=0)
    status = models.CharField(max_length=24, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "bill_number"], name="shipment_bill_unique")
        ]

    def __str__(self) -> str:
        return self.bill_number


class ShipmentEvent(models.Model):
    class Kind(models.TextChoices):
        PICKED_UP = "picked_up", _("Picked up")
        HANDED_TO_RECEPTION = "handed_to_reception", _("Handed to the reception point")
        RESULT_COLLECTED = "result_collected", _("Result collected")
        DELIVERED = "delivered", _("Delivered")
        DELIVERY_FAILED = "delivery_failed", _("Delivery failed")
        RETURNED_TO_SENDER = "returned_to_sender", _("Returned to sender")

    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    occurred_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind}"


class WebhookDelivery(models.Model):
    """One signed POST to a partner, retried with backoff; the admin shows the log."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    client = models.ForeignKey(
        PartnerClient, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="webhooks"
    )
    event = models.CharField(_("event"), max_length=40)
    dossier = models.ForeignKey(
        "dossiers.Dossier", verbose_name=_("dossier"), on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField(_("content sent"))
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(
        _("last HTTP status"), null=True, blank=True
    )
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The audit event it announces: one delivery per event and partner.
    source_event_id = models.BigIntegerField(_("audit event"))

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "source_event_id"], name="webhook_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.client_id} ({self.status})"


class WebhookCursor(models.Model):
    """One row: the last audit event turned into webhook deliveries."""

    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.last_event_id)
