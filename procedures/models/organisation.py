from datetime import date, time
from typing import Self

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from portal.roles import SCOPED_ROLES, Role


class ValidityQuerySet(models.QuerySet):
    def valid_on(self, day: date) -> Self:
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
        )


class ValidityPeriod(models.Model):
    """Organisation data is closed, never deleted: old dossiers keep pointing at it."""

    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = ValidityQuerySet.as_manager()

    class Meta:
        abstract = True

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


def validity_constraint(name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(valid_from__isnull=True)
        | Q(valid_to__isnull=True)
        | Q(valid_to__gte=F("valid_from")),
        name=name,
        violation_error_message=_("The end of validity is before its start."),
    )


class AdministrativeUnit(ValidityPeriod):
    """Đơn vị hành chính: province (tỉnh), district (huyện, until 2025-06-30) or
    commune (xã/phường/đặc khu). Since 2025-07-01 communes hang directly under their
    province."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        DISTRICT = "district", _("District")
        COMMUNE = "commune", _("Commune")

    # Official code length per level (General Statistics Office numbering).
    CODE_LENGTH = {Level.PROVINCE: 2, Level.DISTRICT: 3, Level.COMMUNE: 5}
    # Levels a parent may have, per level of the child.
    PARENT_LEVELS = {
        Level.PROVINCE: (),
        Level.DISTRICT: (Level.PROVINCE,),
        Level.COMMUNE: (Level.DISTRICT, Level.PROVINCE),
    }

    # Official codes are reused: every commune formed on 2025-07-01 took the code of one
    # of the communes merged into it. A code is unique at any one time, not forever.
    code = models.CharField(_("code"), max_length=5, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("administrative unit")
        verbose_name_plural = _("administrative units")
        ordering = ["code", F("valid_from").asc(nulls_first=True)]
        constraints = [
            models.UniqueConstraint(
                F("code"), Coalesce("valid_from", Value(date.min)), name="unit_code_from_unique"
            ),
            validity_constraint("unit_validity_ordered"),
            models.CheckConstraint(
                condition=Q(level="province", parent__isnull=True)
                | (~Q(level="province") & Q(parent__isnull=False)),
                name="unit_parent_iff_not_province",
                violation_error_message=_("A province has no parent; other units have one."),
            ),
            models.CheckConstraint(
                condition=Q(level__in=["province", "district", "commune"]),
                name="unit_level_known",
            ),
        ]

    def __str__(self) -> str:
        if self.valid_to:
            return f"{self.name} ({self.code}, {_('until')} {self.valid_to:%d/%m/%Y})"
        return f"{self.name} ({self.code})"


agency_code_validator = RegexValidator(
    r"^[0-9A-Z]+(\.[0-9A-Z]+)+$",
    _("An agency identifier looks like 000.00.16.H56 or H56.101 (QCVN 102:2016)."),
)


class Agency(ValidityPeriod):
    """Cơ quan: a body that decides procedures, known by its electronic identifier code
    (mã định danh), which also opens every dossier code it issues."""

    # Like unit codes, an identifier may pass to a new agency once the old one closes
    # (2025 reform): unique at any one time, not forever.
    code = models.CharField(
        _("identifier code"), max_length=32, db_index=True, validators=[agency_code_validator]
    )
    name = models.CharField(_("name"), max_length=255)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="agencies",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                F("code"), Coalesce("valid_from", Value(date.min)), name="agency_code_from_unique"
            ),
            validity_constraint("agency_validity_ordered"),
        ]

    def __str__(self) -> str:
        # An abolished agency says so wherever it is offered or shown (old dossiers).
        if self.valid_to:
            return f"{self.name} ({_('until')} {self.valid_to:%d/%m/%Y})"
        return self.name

    def clean(self) -> None:
        """One agency per identifier at any one time (the import checks the same)."""
        super().clean()
        others = Agency.objects.filter(code=self.code).exclude(pk=self.pk)
        if self.valid_to is not None:
            others = others.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=self.valid_to))
        if self.valid_from is not None:
            others = others.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=self.valid_from))
        if others.exists():
            raise ValidationError(
                {"code": _("Another agency holds this identifier during this period.")}
            )


class ReceptionPoint(ValidityPeriod):
    """Bộ phận Một cửa: a public administration service centre (Trung tâm Phục vụ hành
    chính công) or a reception and result-return desk (Bộ phận Tiếp nhận và Trả kết quả)."""

    class Kind(models.TextChoices):
        PROVINCIAL_CENTRE = "provincial_centre", _("Provincial public administration centre")
        COMMUNE_CENTRE = "commune_centre", _("Commune public administration centre")
        RECEPTION_DESK = "reception_desk", _("Reception and result-return desk")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        related_name="reception_points",
    )
    agencies = models.ManyToManyField(
        Agency,
        verbose_name=_("agencies served"),
        related_name="reception_points",
        blank=True,
        help_text=_("Agencies whose procedures this point receives and returns."),
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    counters = models.PositiveSmallIntegerField(_("number of counters"), default=1)
    # Office hours (giờ làm việc), Asia/Ho_Chi_Minh. RULES.md §4 defaults.
    morning_opens = models.TimeField(_("morning opens"), default=time(7, 30))
    morning_closes = models.TimeField(_("morning closes"), default=time(11, 30))
    afternoon_opens = models.TimeField(_("afternoon opens"), default=time(13, 30))
    afternoon_closes = models.TimeField(_("afternoon closes"), default=time(17, 0))

    class Meta:
        verbose_name = _("reception point")
        verbose_name_plural = _("reception points")
        ordering = ["code"]
        constraints = [
            validity_constraint("reception_point_validity_ordered"),
            models.CheckConstraint(
                condition=Q(morning_opens__lt=F("morning_closes"))
                & Q(morning_closes__lte=F("afternoon_opens"))
                & Q(afternoon_opens__lt=F("afternoon_closes")),
                name="reception_point_office_hours_ordered",
                violation_error_message=_("Office hours must run morning then afternoon."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """An officer's role within exactly one scope: a unit (with its descendants), an
    agency or a reception point. An officer sees only what their assignments cover."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("officer"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    role = models.CharField(
        _("role"), max_length=24, choices=[(r.value, r.label) for r in SCOPED_ROLES]
    )
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("administrative unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reception_point = models.ForeignKey(
        ReceptionPoint,
        verbose_name=_("reception point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(unit__isnull=False, agency__isnull=True, reception_point__isnull=True)
                    | Q(unit__isnull=True, agency__isnull=False, reception_point__isnull=True)
                    | Q(unit__isnull=True, agency__isnull=True, reception_point__isnull=False)
                ),
                name="assignment_exactly_one_scope",
                violation_error_message=_("Choose exactly one of: unit, agency, reception point."),
            ),
            models.CheckConstraint(
                condition=Q(role__in=[r.value for r in SCOPED_ROLES]),
                name="assignment_role_scoped",
            ),
        ]

    def __str__(self) -> str:
        scope = self.unit or self.agency or self.reception_point
        return f"{self.user} · {Role(self.role).label} · {scope}"
