"""The postal partner (Decision 45/2016) as an API client: keys, scopes, shipments,
idempotent requests and signed webhooks. The take-a-number queue and its counters."""

from django.conf import settings
from django.core.validators import RegexValidator, validate_comma_separated_integer_list
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

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


# Take-a-number queue (hàng chờ lấy số thứ tự) -------------------------------------------


class QueueLine(models.Model):
    """Hàng chờ: a kind of service the take-a-number kiosk offers a button for, with its
    own letter (A012, B003) and the counters that serve it. A reception point without
    lines has one general queue served by every counter."""

    reception_point = models.ForeignKey(
        "procedures.ReceptionPoint",
        verbose_name=_("reception point"),
        on_delete=models.PROTECT,
        related_name="queue_lines",
    )
    name = models.CharField(_("name"), max_length=120)
    prefix = models.CharField(
        _("letter"),
        max_length=2,
        validators=[RegexValidator(r"^[A-Z]{1,2}$", _("One or two capital letters."))],
    )
    sector = models.ForeignKey(
        "procedures.Sector",
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    counters = models.CharField(
        _("counters serving it"),
        max_length=100,
        blank=True,
        validators=[validate_comma_separated_integer_list],
        help_text=_("Counter numbers separated by commas; empty: every counter."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("queue line")
        verbose_name_plural = _("queue lines")
        ordering = ["reception_point", "position", "prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["reception_point", "prefix"], name="queue_line_prefix_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.prefix} · {self.name}"

    @property
    def counter_numbers(self) -> frozenset[int]:
        return frozenset(int(n) for n in self.counters.split(",") if n.strip())

    def is_served_by(self, counter: int) -> bool:
        return not self.counter_numbers or counter in self.counter_numbers


class TicketSequence(models.Model):
    """The last number given in one line of a reception point on a day. Locked while a
    number is issued, so two presses at once never print the same number."""

    reception_point = models.ForeignKey(
        "procedures.ReceptionPoint", on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(max_length=2, blank=True)
    day = models.DateField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["reception_point", "prefix", "day"], name="ticket_sequence_point_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reception_point_id} {self.prefix}{self.day}: {self.last}"


class QueueTicket(models.Model):
    """Số thứ tự: a number taken at the kiosk. It holds no personal data: only times,
    the counter that called it and the dossiers handled while it was served."""

    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SERVING = "serving", _("Being served")
        DONE = "done", _("Served")
        SKIPPED = "skipped", _("Skipped (absent)")

    reception_point = models.ForeignKey(
        "procedures.ReceptionPoint",
        verbose_name=_("reception point"),
        on_delete=models.PROTECT,
        related_name="queue_tickets",
    )
    line = models.ForeignKey(
        QueueLine,
        verbose_name=_("queue line"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tickets",
    )
    day = models.DateField(_("day"))
    prefix = models.CharField(max_length=2, blank=True)
    number = models.PositiveIntegerField(_("number"))
    status = FSMField(
        _("status"), max_length=8, choices=Status.choices, default=Status.WAITING, protected=True
    )
    issued_at = models.DateTimeField(_("taken"))
    # The first call: waiting time ends here. A recall moves only `announced_at`.
    called_at = models.DateTimeField(_("called"), null=True, blank=True)
    announced_at = models.DateTimeField(_("last announced"), null=True, blank=True)
    counter = models.PositiveSmallIntegerField(_("counter"), null=True, blank=True)
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recall_count = models.PositiveSmallIntegerField(_("recalls"), default=0)
    skipped_at = models.DateTimeField(_("skipped"), null=True, blank=True)
    # Serving time is finished_at - called_at; empty for a ticket closed without service.
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    dossiers = models.ManyToManyField(
        "dossiers.Dossier", verbose_name=_("dossiers"), blank=True, related_name="queue_tickets"
    )

    class Meta:
        verbose_name = _("queue ticket")
        verbose_name_plural = _("queue tickets")
        ordering = ["day", "issued_at", "pk"]
        indexes = [
            models.Index(fields=["reception_point", "day", "status"], name="queue_ticket_day")
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reception_point", "prefix", "day", "number"],
                name="queue_ticket_number_per_day",
            ),
            # Belt and braces behind the counter row lock: one ticket at a counter at a time.
            models.UniqueConstraint(
                fields=["reception_point", "day", "counter"],
                condition=Q(status__in=["called", "serving"]),
                name="queue_ticket_one_current_per_counter",
            ),
            models.CheckConstraint(
                condition=Q(called_at__isnull=True) | Q(called_at__gte=models.F("issued_at")),
                name="queue_ticket_called_after_issued",
            ),
            models.CheckConstraint(
                condition=Q(finished_at__isnull=True) | Q(finished_at__gte=models.F("called_at")),
                name="queue_ticket_finished_after_called",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display} · {self.day:%d/%m/%Y}"

    @property
    def display(self) -> str:
        """As printed and announced: the line's letter and at least three digits."""
        return f"{self.prefix}{self.number:03d}"

    # Transitions: state only. Times and counters are the services' business.
    @transition(field=status, source=Status.WAITING, target=Status.CALLED)
    def call(self) -> None: ...

    @transition(field=status, source=Status.CALLED, target=Status.CALLED)
    def recall(self) -> None: ...

    @transition(field=status, source=[Status.CALLED, Status.SERVING], target=Status.SERVING)
    def serve(self) -> None: ...

    @transition(field=status, source=Status.CALLED, target=Status.SKIPPED)
    def skip(self) -> None: ...

    @transition(field=status, source=[Status.CALLED, Status.SERVING], target=Status.DONE)
    def finish(self) -> None: ...


class QueueCounter(models.Model):
    """Quầy: one counter of a reception point. Its row is locked while it calls a number,
    and it remembers the dossier just handled there for the satisfaction kiosk."""

    reception_point = models.ForeignKey(
        "procedures.ReceptionPoint", on_delete=models.PROTECT, related_name="queue_counters"
    )
    number = models.PositiveSmallIntegerField(_("counter"))
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    served_dossier = models.ForeignKey(
        "dossiers.Dossier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    served_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("counter")
        verbose_name_plural = _("counters")
        ordering = ["reception_point", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["reception_point", "number"], name="queue_counter_per_point"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reception_point_id} #{self.number}"
