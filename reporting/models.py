from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Flows counted in the month they happen, per (unit, agency, reception point, procedure).
RECEIVED_FLOWS = [
    "received",
    "received_counter",
    "received_online",
    "received_postal",
    "received_online_full",
    "received_online_partial",
    "received_level3",
    "received_level4",
    "digitized",
    "fee_bearing",
    "paid_online",
]
RESOLVED_FLOWS = [
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "resolved_counter",
    "resolved_postal",
    "resolved_online_full",
    "resolved_online_partial",
]
RETURNED_FLOWS = ["returned", "returned_counter", "returned_postal", "returned_online"]
EVALUATION_FLOWS = [
    "evaluations",
    "very_satisfied",
    "satisfied",
    "neutral",
    "dissatisfied",
    "very_dissatisfied",
]
# A dossier is overdue at the end of the months from `overdue_started` (inclusive) to
# `overdue_stopped` (exclusive): stocks are running sums of these flows.
STOCK_FLOWS = ["overdue_started", "overdue_stopped"]
FLOWS = [
    *RECEIVED_FLOWS,
    *RESOLVED_FLOWS,
    "withdrawn",
    *RETURNED_FLOWS,
    *EVALUATION_FLOWS,
    *STOCK_FLOWS,
]


class MonthlyFlow(models.Model):
    """The snapshot the dashboards read: what happened in one month to the dossiers of
    one procedure at one agency and reception point of one unit. Any scope, period and
    filter is a sum of these rows; stocks (carried over, in progress, overdue) are running
    sums. Rebuilt nightly and for changed dossiers soon after (reporting.snapshots)."""

    # Derived rows, rebuilt from the dossiers (which hold the constraints): no database
    # foreign keys, checked row by row on every row the refresh writes, and
    # indexes only for how the dashboards read (by unit and month; the key's unique index).
    # Deleting a unit, agency or procedure still cascades here through the ORM.
    unit = models.ForeignKey(
        "procedures.AdministrativeUnit",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    agency = models.ForeignKey(
        "procedures.Agency", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    reception_point = models.ForeignKey(
        "procedures.ReceptionPoint",
        on_delete=models.CASCADE,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    procedure = models.ForeignKey(
        "procedures.Procedure",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    sector = models.ForeignKey(
        "procedures.Sector",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    month = models.DateField()  # the first day of the month, local time

    locals().update({name: models.PositiveIntegerField(default=0) for name in FLOWS})

    class Meta:
        indexes = [
            models.Index(fields=["unit", "month"], name="flow_unit_month"),
            models.Index(fields=["month"], name="flow_month"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "agency", "reception_point", "procedure", "month"],
                name="flow_key_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.agency_id}/{self.procedure_id} {self.month:%Y-%m}"


class OpenOverdue(models.Model):
    """Dossiers open and already overdue at the time of the last refresh, per key: the
    overdue count of a period that has not ended yet."""

    unit = models.ForeignKey(
        "procedures.AdministrativeUnit", on_delete=models.CASCADE, related_name="+"
    )
    agency = models.ForeignKey("procedures.Agency", on_delete=models.CASCADE, related_name="+")
    reception_point = models.ForeignKey(
        "procedures.ReceptionPoint", on_delete=models.CASCADE, null=True, related_name="+"
    )
    procedure = models.ForeignKey(
        "procedures.Procedure", on_delete=models.CASCADE, related_name="+"
    )
    sector = models.ForeignKey("procedures.Sector", on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.agency_id}/{self.procedure_id}: {self.count}"


class RefreshState(models.Model):
    """One row: when the snapshot was last rebuilt and up to which dossier change."""

    full_at = models.DateTimeField(null=True)
    incremental_at = models.DateTimeField(null=True)
    # Dossiers changed after this instant are not in the snapshot yet.
    watermark = models.DateTimeField(null=True)
    duration_seconds = models.FloatField(default=0)

    def __str__(self) -> str:
        return f"refreshed {self.full_at} / {self.incremental_at}"


class StaleKey(models.Model):
    """A key (unit, agency, reception point or 0, procedure) that lost a dossier: deleted,
    or moved to another key. Written by a database trigger on the dossier table (migration
    0008), since neither leaves an `updated_at` behind for the incremental refresh to find;
    that refresh rebuilds these keys and deletes the rows it read."""

    unit_id = models.BigIntegerField()
    agency_id = models.BigIntegerField()
    point = models.BigIntegerField()
    procedure_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.unit_id}/{self.agency_id}/{self.point}/{self.procedure_id}"


class Target(models.Model):
    """A target a manager sets for an indicator of a unit (and its descendants): shown
    green at or above, amber within `amber_margin` points below, red further below."""

    unit = models.ForeignKey(
        "procedures.AdministrativeUnit",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("administrative unit"),
    )
    indicator = models.CharField(_("indicator"), max_length=40)
    value = models.DecimalField(_("target (%)"), max_digits=5, decimal_places=2)
    amber_margin = models.DecimalField(
        _("amber margin (points)"), max_digits=5, decimal_places=2, default=5
    )
    # Indicators where lower is better (late rate, in-progress rate).
    lower_is_better = models.BooleanField(_("lower is better"), default=False)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("indicator target")
        verbose_name_plural = _("indicator targets")
        constraints = [
            models.UniqueConstraint(fields=["unit", "indicator"], name="target_unit_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ≥ {self.value}%"


class ScoringVersion(models.Model):
    """A version of the Decision 766 index: groups, weights, thresholds and curves as data
    (reporting/scoring/*.json), the version in force at a period's end applies."""

    code = models.CharField(_("version"), max_length=40, unique=True)
    effective_from = models.DateField(_("in force from"))
    config = models.JSONField(_("configuration"))

    class Meta:
        verbose_name = _("Decision 766 scoring version")
        verbose_name_plural = _("Decision 766 scoring versions")
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"{self.code} ({self.effective_from:%d/%m/%Y})"
