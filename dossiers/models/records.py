import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from dossiers.models.dossier import Dossier, Timeliness
from portal.sequences import NumberSequence
from procedures.models import Agency, CopyType


class Pause(models.Model):
    """A stop of the legal clock: a supplement request (yêu cầu bổ sung, form 02) or a
    financial obligation (nghĩa vụ tài chính). Ends when the applicant answers."""

    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("Supplement request")
        FINANCIAL_OBLIGATION = "financial_obligation", _("Financial obligation")

    class Stage(models.TextChoices):
        INTAKE = "intake", _("At reception")
        PROCESSING = "processing", _("During processing")

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="pauses")
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    items = models.JSONField(_("papers asked for"), default=list, blank=True)
    reason = models.TextField(_("reason"))
    amount = models.PositiveBigIntegerField(_("amount (VND)"), null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested"))
    resumed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resumed_at = models.DateTimeField(_("answered"), null=True, blank=True)
    due_before = models.DateTimeField(null=True, blank=True)
    due_after = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dossier"],
                condition=Q(resumed_at__isnull=True),
                name="pause_one_open_per_dossier",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.dossier_id}"


class Apology(models.Model):
    """Phiếu xin lỗi và hẹn lại ngày trả kết quả (form 04): at most one per dossier."""

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="apology")
    reason = models.TextField(_("reason"))
    new_due_at = models.DateTimeField(_("new date promised"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField(_("issued"))
    # RULES.md §4: due no later than one working day before the due date; warn only.
    issued_late = models.BooleanField(_("issued less than a working day before the due date"))

    def __str__(self) -> str:
        return f"{self.dossier_id} → {self.new_due_at:%d/%m/%Y}"


class HandOver(models.Model):
    """A row of the process-control sheet (form 05): who handed the dossier to whom and
    when, the step's time budget and whether the step kept to it."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="hand_overs")
    sequence = models.PositiveSmallIntegerField()
    step_name = models.CharField(_("step"), max_length=300)
    from_label = models.CharField(_("from"), max_length=300)
    to_label = models.CharField(_("to"), max_length=300)
    to_agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField(_("handed over"))
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget_hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    step_due_at = models.DateTimeField(null=True, blank=True)
    # When the receiving side passed the dossier on: the end of this step.
    finished_at = models.DateTimeField(null=True, blank=True)
    timeliness = models.CharField(max_length=16, choices=Timeliness.choices, blank=True, default="")
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["dossier", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="hand_over_sequence")
        ]

    def __str__(self) -> str:
        return f"{self.sequence}. {self.from_label} → {self.to_label}"


class PrivateStorage(FileSystemStorage):
    """Uploaded papers live outside the web root and are served by a view that checks
    who is asking (dossiers.views.attachment)."""

    # No location given: it follows settings.MEDIA_ROOT (PRIVATE_MEDIA_ROOT), which is
    # never served by the web server.


def _attachment_path(attachment: "Attachment", filename: str) -> str:
    # The service names the file after the attachment's id, never after the citizen's
    # file name, which may carry personal data.
    return f"dossiers/{attachment.dossier_id}/{filename}"


class Attachment(models.Model):
    """A file of the dossier: one of its papers (which component, which kind of copy,
    whether it was digitised at reception) or its electronic result; and its checksum."""

    class Kind(models.TextChoices):
        PAPER = "paper", _("Paper of the dossier")
        # Kết quả điện tử: the signed result, which the applicant downloads.
        RESULT = "result", _("Electronic result")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PAPER)
    component_id = models.PositiveIntegerField(null=True, blank=True)
    component_name = models.CharField(_("paper"), max_length=500)
    copy_type = models.CharField(_("copy type"), max_length=16, choices=CopyType.choices)
    digitized = models.BooleanField(_("digitised at reception"), default=False)
    file = models.FileField(storage=PrivateStorage, upload_to=_attachment_path)
    original_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.component_name


class Evaluation(models.Model):
    """Đánh giá mức độ hài lòng (RULES.md §8): one per dossier."""

    class Rating(models.TextChoices):
        VERY_SATISFIED = "very_satisfied", _("Very satisfied")
        SATISFIED = "satisfied", _("Satisfied")
        NEUTRAL = "neutral", _("Neither satisfied nor dissatisfied")
        DISSATISFIED = "dissatisfied", _("Dissatisfied")
        VERY_DISSATISFIED = "very_dissatisfied", _("Very dissatisfied")

    dossier = models.OneToOneField(Dossier, on_delete=models.CASCADE, related_name="evaluation")
    rating = models.CharField(_("rating"), max_length=20, choices=Rating.choices)
    criteria = models.JSONField(_("criteria (0–2 points each)"), default=dict, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    channel = models.CharField(max_length=12, blank=True)
    evaluated_at = models.DateTimeField(_("evaluated"))
    reception_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    processing_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.dossier_id}: {self.rating}"


class CodeSequence(NumberSequence):
    """The last dossier number given by an agency on a day. Locked while a code is
    allocated, so two receptions at the same second never share a number."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "day"], name="code_sequence_agency_day")
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"
