from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

citizen_id_validator = RegexValidator(r"^\d{12}$", _("A citizen ID has exactly 12 digits."))
phone_validator = RegexValidator(
    r"^(\+84|0)\d{9,10}$", _("Enter a Vietnamese phone number, e.g. 0912345678.")
)


class User(AbstractUser):
    """A person using the portal: a citizen (người dân) or an officer (cán bộ).

    What an officer may do and see comes from their assignments
    (procedures.Assignment); a person without any is a citizen.
    """

    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    phone = models.CharField(
        _("phone number"), max_length=15, blank=True, validators=[phone_validator]
    )
    citizen_id = models.CharField(
        _("citizen ID"), max_length=12, blank=True, validators=[citizen_id_validator]
    )
    # Set when the person opened the link mailed to `email`; cleared when the email changes.
    email_verified_at = models.DateTimeField(_("email verified at"), null=True, blank=True)
    # The last verification link sent: resending is throttled from it.
    email_verification_sent_at = models.DateTimeField(
        _("verification email sent at"), null=True, blank=True
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~models.Q(email=""), name="user_email_unique_ci"
            ),
            models.UniqueConstraint(
                "phone", condition=~models.Q(phone=""), name="user_phone_unique"
            ),
            models.UniqueConstraint(
                "citizen_id", condition=~models.Q(citizen_id=""), name="user_citizen_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username


class AuditEvent(models.Model):
    """An append-only record of something that happened (nhật ký), written in the same
    transaction as the change it describes. PostgreSQL refuses UPDATE and DELETE on the
    table (migration 0002)."""

    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    event = models.CharField(_("event"), max_length=100, db_index=True)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(_("target"), max_length=200, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.event} {self.target_label}"


class ThrottleCount(models.Model):
    """A throttle's counter in a fixed window, kept in the database while the shared cache
    (Redis) cannot be reached, so that an outage does not open the door to guessing
    (portal.throttles). Rows live as long as their window."""

    name = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.name}: {self.count}"
