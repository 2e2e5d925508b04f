from django.db import models
from django.utils.translation import gettext_lazy as _

from dossiers.models.dossier import Dossier


class Notification(models.Model):
    """An e-mail or SMS to send, stored in the transaction that caused it (an outbox):
    if the mail server or Redis is down, it waits here and is sent later, never lost."""

    class Medium(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed for good")

    dossier = models.ForeignKey(
        Dossier, on_delete=models.CASCADE, related_name="notifications", null=True, blank=True
    )
    medium = models.CharField(max_length=8, choices=Medium.choices)
    kind = models.CharField(max_length=32)
    recipient = models.CharField(max_length=254)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    status = models.CharField(
        max_length=8, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} ({self.medium}, {self.status})"
