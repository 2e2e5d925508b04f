from datetime import date
from decimal import Decimal
from typing import Self

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.deadlines import TimeLimitUnit
from procedures.models.organisation import (
    AdministrativeUnit,
    Agency,
    ValidityPeriod,
    ValidityQuerySet,
    validity_constraint,
)

procedure_code_validator = RegexValidator(
    r"^\d\.\d{6}$", _("A national procedure code looks like 1.001193.")
)


class Sector(models.Model):
    """Lĩnh vực: the field a procedure belongs to (civil status, certification, land…)."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OnlineLevel(models.TextChoices):
    """Decree 42/2022: dịch vụ công trực tuyến toàn trình (full) or một phần (partial)."""

    NONE = "none", _("Not online")
    PARTIAL = "partial", _("Partly online")
    FULL = "full", _("Fully online")


class ProcedureQuerySet(ValidityQuerySet):
    def public(self, day: date) -> Self:
        """What citizens see: published and in force on `day`."""
        return self.filter(status=Procedure.Status.PUBLISHED).valid_on(day)


class Procedure(ValidityPeriod):
    """Thủ tục hành chính: what an applicant files, who decides it, in how long, for
    how much. A dossier copies the terms in force when it is received
    (`selectors.procedure_terms`), so
    a later edit of the catalogue never changes a dossier already received."""

    class Status(models.TextChoices):
        PUBLISHED = "published", _("Published")
        UNPUBLISHED = "unpublished", _("Not published")
        REPEALED = "repealed", _("Repealed")

    code = models.CharField(
        _("national code"), max_length=16, unique=True, validators=[procedure_code_validator]
    )
    name = models.CharField(_("name"), max_length=500)
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="procedures"
    )
    level = models.CharField(
        _("deciding level"), max_length=10, choices=AdministrativeUnit.Level.choices
    )
    deciding_authority = models.CharField(_("deciding authority"), max_length=255, blank=True)
    agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("agencies"),
        related_name="procedures",
        blank=True,
        help_text=_(
            "Agencies that settle this procedure; their reception points receive its dossiers."
        ),
    )
    time_limit = models.DecimalField(
        _("time limit"),
        max_digits=7,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=16, choices=TimeLimitUnit.choices
    )
    time_limit_note = models.CharField(_("time limit note"), max_length=500, blank=True)
    online_level = models.CharField(
        _("online level"), max_length=8, choices=OnlineLevel.choices, default=OnlineLevel.NONE
    )
    legacy_level = models.PositiveSmallIntegerField(
        _("legacy level (Decree 43/2011)"),
        null=True,
        blank=True,
        choices=[(n, str(n)) for n in range(1, 5)],
    )
    applicants = models.TextField(_("who may apply"), blank=True)
    conditions = models.TextField(_("requirements and conditions"), blank=True)
    result_name = models.CharField(_("result"), max_length=500, blank=True)
    result_paper = models.BooleanField(_("paper result"), default=True)
    result_electronic = models.BooleanField(_("electronic result"), default=False)
    postal_intake = models.BooleanField(_("accepted by post"), default=True)
    postal_return = models.BooleanField(_("result returned by post"), default=True)
    legal_basis = models.TextField(_("legal basis"), blank=True)
    publication_decision = models.CharField(_("publication decision"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNPUBLISHED
    )
    # Every edit bumps the version; a dossier records the version it was received under.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # Folded (lower case, no diacritics) copies for search and Vietnamese alphabetical
    # order; written by procedures.services, never by hand.
    search_text = models.TextField(editable=False, default="")
    sort_name = models.CharField(max_length=500, editable=False, default="")

    # A manager from as_manager() over the base's cannot be annotated (django-stubs#1713).
    objects = ProcedureQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("procedure")
        verbose_name_plural = _("procedures")
        ordering = ["sort_name", "code"]
        constraints = [
            models.CheckConstraint(condition=Q(time_limit__gte=0), name="procedure_limit_positive"),
            models.CheckConstraint(
                condition=Q(time_limit_unit__in=TimeLimitUnit.values),
                name="procedure_limit_unit_known",
            ),
            models.CheckConstraint(
                condition=Q(legacy_level__isnull=True) | Q(legacy_level__range=(1, 4)),
                name="procedure_legacy_level_range",
            ),
            models.CheckConstraint(
                condition=Q(online_level__in=OnlineLevel.values),
                name="procedure_online_level_known",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["published", "unpublished", "repealed"]),
                name="procedure_status_known",
            ),
            validity_constraint("procedure_validity_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"

    @property
    def total_fee(self) -> int:
        return sum(fee.amount for fee in self.fees.all())


class CopyType(models.TextChoices):
    ORIGINAL = "original", _("Original")
    CERTIFIED_COPY = "certified_copy", _("Certified copy")
    PLAIN_COPY = "plain_copy", _("Plain copy")


class Component(models.Model):
    """Thành phần hồ sơ: one paper the applicant brings or uploads."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="components")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=500)
    copy_type = models.CharField(_("copy type"), max_length=16, choices=CopyType.choices)
    count = models.PositiveSmallIntegerField(
        _("number of copies"), default=1, validators=[MinValueValidator(1)]
    )
    required = models.BooleanField(_("required"), default=True)
    note = models.TextField(_("note"), blank=True)
    form_template = models.FileField(
        _("form to fill in"), upload_to="procedures/forms/", blank=True
    )

    class Meta:
        verbose_name = _("dossier component")
        verbose_name_plural = _("dossier components")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="component_count_positive")
        ]

    def __str__(self) -> str:
        return self.name


class Fee(models.Model):
    """Phí (a fee for a service) or lệ phí (a charge for a state act), in VND."""

    class Kind(models.TextChoices):
        FEE = "fee", _("Fee")
        CHARGE = "charge", _("Charge")

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.CHARGE)
    name = models.CharField(_("name"), max_length=300)
    amount = models.PositiveBigIntegerField(_("amount (VND)"), default=0)
    exemptions = models.TextField(_("exemptions"), blank=True)

    class Meta:
        verbose_name = _("fee")
        verbose_name_plural = _("fees")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount:,} VND"


class Step(models.Model):
    """A step of the internal workflow (quy trình nội bộ) with its time budget in
    working hours; the budgets become the rows of the process-control sheet (form 05)."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField(_("order"), default=0)
    name = models.CharField(_("name"), max_length=300)
    responsible = models.CharField(_("responsible"), max_length=300, blank=True)
    budget_hours = models.DecimalField(
        _("time budget (working hours)"),
        max_digits=6,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0))],
    )

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(budget_hours__gte=0), name="step_budget_positive")
        ]

    def __str__(self) -> str:
        return self.name


class InterconnectionGroup(models.Model):
    """Nhóm thủ tục liên thông (Decree 63/2024): procedures of several agencies filed as
    one dossier, e.g. birth registration + permanent residence + health insurance card."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=500)
    procedures = models.ManyToManyField(
        Procedure,
        through="InterconnectionMember",
        related_name="interconnection_groups",
        verbose_name=_("procedures"),
    )
    time_limit = models.DecimalField(
        _("time limit"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)]
    )
    time_limit_unit = models.CharField(
        _("time limit unit"), max_length=16, choices=TimeLimitUnit.choices
    )
    legal_basis = models.TextField(_("legal basis"), blank=True)

    class Meta:
        verbose_name = _("interconnection group")
        verbose_name_plural = _("interconnection groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class InterconnectionMember(models.Model):
    group = models.ForeignKey(
        InterconnectionGroup, on_delete=models.CASCADE, related_name="members"
    )
    procedure = models.ForeignKey(
        Procedure, on_delete=models.PROTECT, related_name="group_memberships"
    )
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("member procedure")
        verbose_name_plural = _("member procedures")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "procedure"], name="interconnection_member_unique"
            )
        ]

    def __str__(self) -> str:
        return str(self.procedure)
