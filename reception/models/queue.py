"""The take-a-number queue (hàng chờ lấy số thứ tự): its lines, tickets and counters, and
the day's ticket numbers of each line."""

from django.conf import settings
from django.core.validators import RegexValidator, validate_comma_separated_integer_list
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from portal.sequences import NumberSequence


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


class TicketSequence(NumberSequence):
    """The last number given in one line of a reception point on a day. Locked while a
    number is issued, so two presses at once never print the same number."""

    reception_point = models.ForeignKey(
        "procedures.ReceptionPoint", on_delete=models.PROTECT, related_name="+"
    )
    prefix = models.CharField(max_length=2, blank=True)
    day = models.DateField()

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
