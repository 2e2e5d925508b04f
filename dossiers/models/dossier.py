import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, ConcurrentTransitionMixin, FSMField, transition

from procedures.models import (
    AdministrativeUnit,
    Agency,
    InterconnectionGroup,
    OnlineLevel,
    Procedure,
    ReceptionPoint,
)

# The largest sum of money a form accepts (VND): far above any fee, far below the column's
# limit, so a typo gets a message rather than a database error.
MAX_VND = 10**12


class Status(models.TextChoices):
    """RULES.md §3; the number is the national portal's sync code (DOMAIN.md §6.1)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted, awaiting reception")
    RECEIVED = "received", _("Received")
    REJECTED = "rejected", _("Refused at reception")
    IN_PROCESS = "in_process", _("Being processed")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Supplement requested")
    FINANCIAL_OBLIGATION = "financial_obligation", _("Awaiting financial obligation")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    STOPPED = "stopped", _("Stopped after appraisal")
    COMPLETED = "completed", _("Result ready")
    RETURNED = "returned", _("Result returned")


SYNC_CODES = {
    Status.SUBMITTED: 1,
    Status.RECEIVED: 2,
    Status.REJECTED: 3,
    Status.IN_PROCESS: 4,
    Status.SUPPLEMENT_REQUESTED: 5,
    Status.FINANCIAL_OBLIGATION: 6,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
    Status.COMPLETED: 9,
    Status.RETURNED: 10,
}
TERMINAL = frozenset({Status.REJECTED, Status.WITHDRAWN, Status.STOPPED, Status.RETURNED})
# States in which the legal clock runs or is paused: the processing inbox.
OPEN = frozenset(
    {
        Status.RECEIVED,
        Status.IN_PROCESS,
        Status.SUPPLEMENT_REQUESTED,
        Status.FINANCIAL_OBLIGATION,
    }
)
PAUSED = frozenset({Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION})
WITHDRAWABLE = [
    Status.SUBMITTED,
    Status.RECEIVED,
    Status.IN_PROCESS,
    Status.SUPPLEMENT_REQUESTED,
    Status.FINANCIAL_OBLIGATION,
]


class Channel(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    ONLINE = "online", _("Online")
    POSTAL = "postal", _("By post")


class ResultDelivery(models.TextChoices):
    COUNTER = "counter", _("At the counter")
    POSTAL = "postal", _("By post")
    ONLINE = "online", _("Online")


class Timeliness(models.TextChoices):
    """Trước hạn / đúng hạn / quá hạn once processing ended; trong hạn / sắp đến hạn / quá
    hạn while it runs (RULES.md §5; the rules are dossiers.timeliness)."""

    EARLY = "early", _("early")
    ON_TIME = "on_time", _("on time")
    LATE = "late", _("late")
    WITHIN_DEADLINE = "within_deadline", _("within deadline")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")


class DeadlineAlert(models.TextChoices):
    NONE = "", _("None")
    DUE_SOON = "due_soon", _("Due soon")
    OVERDUE = "overdue", _("Overdue")


class Dossier(ConcurrentTransitionMixin, models.Model):
    """Hồ sơ: one application for one procedure, from submission or reception to the
    returned result. The state changes only through dossiers.services; the transitions
    below change the state and nothing else."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Official code, given at reception (RULES.md §7); immutable afterwards.
    code = models.CharField(_("dossier code"), max_length=48, unique=True, null=True, blank=True)
    # Provisional reference, from creation: what an online applicant quotes before reception.
    reference = models.CharField(_("reference"), max_length=16, unique=True)
    lookup_secret_hash = models.CharField(max_length=64, blank=True, editable=False)
    status = FSMField(
        _("status"), max_length=24, choices=Status.choices, default=Status.DRAFT, protected=True
    )
    # Bumped by every change of state; a client that read version N may act only on N.
    version = models.PositiveIntegerField(default=1, editable=False)

    procedure = models.ForeignKey(
        Procedure, verbose_name=_("procedure"), on_delete=models.PROTECT, related_name="dossiers"
    )
    procedure_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    # The catalogue terms in force at reception (procedures.selectors.procedure_terms).
    terms = models.JSONField(default=dict, blank=True, editable=False)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("competent agency"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="dossiers",
    )
    reception_point = models.ForeignKey(
        ReceptionPoint,
        verbose_name=_("reception point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    online_level = models.CharField(
        _("online level"), max_length=8, choices=OnlineLevel.choices, blank=True
    )
    legacy_level = models.PositiveSmallIntegerField(_("legacy level"), null=True, blank=True)

    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("applicant account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dossiers",
    )
    applicant_name = models.CharField(_("applicant"), max_length=200, blank=True)
    applicant_citizen_id = models.CharField(_("citizen ID"), max_length=12, blank=True)
    applicant_phone = models.CharField(_("phone"), max_length=20, blank=True)
    applicant_email = models.EmailField(_("email"), blank=True)
    applicant_address = models.CharField(_("address"), max_length=300, blank=True)
    filled_by_officer = models.BooleanField(_("filled in by the officer"), default=False)
    # The papers handed in, as checked at the counter: [{"id", "name", "copy_type", "count"}]
    # (form 01 lists them); online dossiers carry their attachments instead.
    papers = models.JSONField(_("papers handed in"), default=list, blank=True)
    sets_count = models.PositiveSmallIntegerField(_("sets"), default=1)

    result_delivery = models.CharField(
        _("result delivery"), max_length=8, choices=ResultDelivery.choices, blank=True
    )
    delivery_address = models.CharField(_("delivery address"), max_length=300, blank=True)
    fee_amount = models.PositiveBigIntegerField(_("fees (VND)"), default=0)
    paid_online = models.BooleanField(_("paid online"), default=False)
    fee_collected = models.BooleanField(_("fees collected at the counter"), default=False)
    digitized = models.BooleanField(_("digitised at reception"), default=False)
    # Decision 766 sources (RULES.md §11): a result issued as an electronic document, and a
    # result kept as a file (scanned or born digital).
    result_electronic = models.BooleanField(_("electronic result issued"), default=False)
    result_digitized = models.BooleanField(_("result digitised"), default=False)

    created_at = models.DateTimeField(auto_now_add=True)
    # Every save; the indicator snapshots refresh the dossiers changed since their last run.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The legal due time; supplements and financial obligations move it, an apology
    # does not (KPIs keep it: RULES.md §4).
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    rescheduled_due_at = models.DateTimeField(_("new date promised"), null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True, editable=False)
    supplement_count = models.PositiveSmallIntegerField(
        _("supplement requests during processing"), default=0
    )
    # Pauses of the clock during processing (supplements and financial obligations): the
    # indicators look at the pause history only for dossiers that have one.
    pause_count = models.PositiveSmallIntegerField(default=0, editable=False)
    processing_ended_at = models.DateTimeField(_("processing ended"), null=True, blank=True)
    returned_at = models.DateTimeField(_("result returned"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("refused"), null=True, blank=True)
    # Phân công: the officer of the agency who holds the dossier now; the audit trail
    # keeps who held it before.
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    # The signed paper result is at the reception point, ready to hand over.
    result_ready_at = models.DateTimeField(_("paper result ready"), null=True, blank=True)
    deadline_alert = models.CharField(
        max_length=8, choices=DeadlineAlert.choices, blank=True, default="", editable=False
    )
    imported = models.BooleanField(default=False, editable=False)

    interconnection_group = models.ForeignKey(
        InterconnectionGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        verbose_name = _("dossier")
        verbose_name_plural = _("dossiers")
        ordering = ["-received_at", "-created_at"]
        indexes = [
            models.Index(fields=["agency", "status", "due_at"], name="dossier_agency_inbox"),
            models.Index(fields=["unit", "received_at"], name="dossier_unit_received"),
            models.Index(fields=["reception_point", "status"], name="dossier_point_status"),
            models.Index(fields=["status", "due_at"], name="dossier_status_due"),
            # The few dossiers still open, by due time: the live overdue lists start here
            # whatever the scope, rather than from the scope's (mostly ended) dossiers.
            models.Index(
                fields=["due_at"],
                condition=Q(processing_ended_at__isnull=True, withdrawn_at__isnull=True),
                name="dossier_open_due",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(
                    status__in=[
                        Status.RECEIVED,
                        Status.IN_PROCESS,
                        Status.FINANCIAL_OBLIGATION,
                        Status.STOPPED,
                        Status.COMPLETED,
                        Status.RETURNED,
                    ]
                )
                | Q(received_at__isnull=False),
                name="dossier_received_has_time",
            ),
            models.CheckConstraint(
                condition=Q(processing_ended_at__isnull=True)
                | Q(processing_ended_at__gte=models.F("received_at")),
                name="dossier_ended_after_reception",
            ),
        ]

    def __str__(self) -> str:
        return self.code or self.reference

    @property
    def sync_code(self) -> int | None:
        return SYNC_CODES.get(Status(self.status))

    # Transitions: state only. Timestamps, pauses and codes are the services' business.
    @transition(field=status, source=Status.DRAFT, target=Status.SUBMITTED)
    def submit(self) -> None: ...

    @transition(field=status, source=Status.SUBMITTED, target=Status.RECEIVED)
    def receive(self) -> None: ...

    @transition(field=status, source=Status.SUBMITTED, target=Status.REJECTED)
    def reject(self) -> None: ...

    @transition(field=status, source=Status.SUBMITTED, target=Status.SUPPLEMENT_REQUESTED)
    def request_supplement_at_intake(self) -> None: ...

    @transition(field=status, source=Status.RECEIVED, target=Status.IN_PROCESS)
    def transfer(self) -> None: ...

    @transition(field=status, source=Status.IN_PROCESS, target=Status.IN_PROCESS)
    def hand_over(self) -> None: ...

    @transition(field=status, source=Status.IN_PROCESS, target=Status.SUPPLEMENT_REQUESTED)
    def request_supplement(self) -> None: ...

    @transition(
        field=status,
        source=Status.SUPPLEMENT_REQUESTED,
        target=RETURN_VALUE(Status.SUBMITTED, Status.IN_PROCESS),
    )
    def supplement(self, *, at_intake: bool) -> str:
        """Back to where the request was made: intake, or processing."""
        return Status.SUBMITTED if at_intake else Status.IN_PROCESS

    @transition(field=status, source=Status.IN_PROCESS, target=Status.FINANCIAL_OBLIGATION)
    def request_financial_obligation(self) -> None: ...

    @transition(field=status, source=Status.FINANCIAL_OBLIGATION, target=Status.IN_PROCESS)
    def fulfil_financial_obligation(self) -> None: ...

    @transition(
        field=status,
        source=Status.IN_PROCESS,
        target=Status.IN_PROCESS,
        # django-fsm types a condition as taking any Model; it is given this dossier.
        conditions=[lambda dossier: dossier.rescheduled_due_at is None],  # type: ignore[attr-defined]
    )
    def apologise(self) -> None:
        """Form 04, at most once per dossier."""

    @transition(field=status, source=Status.IN_PROCESS, target=Status.STOPPED)
    def stop(self) -> None: ...

    @transition(field=status, source=Status.IN_PROCESS, target=Status.COMPLETED)
    def complete(self) -> None: ...

    @transition(field=status, source=Status.COMPLETED, target=Status.RETURNED)
    def return_result(self) -> None: ...

    @transition(field=status, source=WITHDRAWABLE, target=Status.WITHDRAWN)
    def withdraw(self) -> None: ...

    @transition(field=status, source="*", target=RETURN_VALUE(*Status.values))
    def follow_children(self, status: str) -> str:
        """An interconnected parent's state is derived from its children's."""
        return status
