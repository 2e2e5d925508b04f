import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dossiers.models.dossier import Dossier


class Payment(models.Model):
    """Thanh toán trực tuyến: one attempt to pay a dossier's fees (phí, lệ phí) through a
    payment provider. Only a verified callback of the provider settles it; a failed or
    cancelled attempt stays on record and the applicant tries again with a new one."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        # The bank took the money but the dossier no longer owed it (paid at the counter,
        # refused, or a fee changed since the attempt began): to be refunded by hand.
        REFUND_DUE = "refund_due", _("To be refunded")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A financial record: the dossier cannot be deleted from under it.
    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="payments")
    # What the provider knows the payment by; random, so it cannot be guessed from another.
    reference = models.CharField(_("payment reference"), max_length=32, unique=True)
    provider = models.CharField(_("payment provider"), max_length=32)
    amount = models.PositiveBigIntegerField(_("amount (VND)"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PENDING
    )
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Where the provider sends the browser back; set by the portal, never by the browser.
    return_url = models.CharField(max_length=500)
    transaction_id = models.CharField(_("bank transaction"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at"]
        constraints = [
            # However many attempts, the fees are taken once.
            models.UniqueConstraint(
                fields=["dossier"], condition=Q(status="paid"), name="payment_one_paid_per_dossier"
            ),
            models.UniqueConstraint(
                fields=["provider", "transaction_id"],
                condition=~Q(transaction_id=""),
                name="payment_transaction_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(status="pending") | Q(completed_at__isnull=False),
                name="payment_completed_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.status})"
