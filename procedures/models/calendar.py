from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from procedures.models.organisation import AdministrativeUnit, ReceptionPoint


class CalendarOverride(models.Model):
    """A local change to the working calendar on top of the national one (the `holidays`
    package): an extra day off (nghỉ) or a make-up working day (làm bù), for everyone or
    for one unit (with its descendants) or one reception point. Overrides win."""

    class Kind(models.TextChoices):
        DAY_OFF = "off", _("Day off")
        WORKING_DAY = "work", _("Working day")

    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=4, choices=Kind.choices)
    name = models.CharField(_("reason"), max_length=200)
    unit = models.ForeignKey(
        AdministrativeUnit,
        verbose_name=_("only for unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reception_point = models.ForeignKey(
        ReceptionPoint,
        verbose_name=_("only for reception point"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("calendar override")
        verbose_name_plural = _("calendar overrides")
        ordering = ["date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(reception_point__isnull=True),
                name="calendar_override_one_scope",
                violation_error_message=_("Choose a unit or a reception point, not both."),
            ),
            models.UniqueConstraint(
                "date",
                condition=Q(unit__isnull=True, reception_point__isnull=True),
                name="calendar_override_national_date_unique",
            ),
            models.UniqueConstraint(
                "date",
                "unit",
                condition=Q(unit__isnull=False),
                name="calendar_override_unit_date_unique",
            ),
            models.UniqueConstraint(
                "date",
                "reception_point",
                condition=Q(reception_point__isnull=False),
                name="calendar_override_point_date_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}: {self.name}"
