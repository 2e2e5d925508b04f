"""The indicators of RULES.md §6 for one scope, period and filter: the one computation
behind `kpi_report`, the snapshot refresh, the dashboards and the exports."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TypedDict, Unpack

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from dossiers import timeliness
from dossiers.models import Channel, Dossier, Evaluation, ResultDelivery
from procedures.calendar import LOCAL_TIME
from procedures.models import AdministrativeUnit, Agency, OnlineLevel, ReceptionPoint
from procedures.selectors import unit_with_descendant_ids

COUNT_NAMES = [
    "received",
    "received_counter",
    "received_online",
    "received_postal",
    "received_online_full",
    "received_online_partial",
    "received_level3",
    "received_level4",
    "carried_over",
    "to_process",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "resolved_counter",
    "resolved_postal",
    "resolved_online_full",
    "resolved_online_partial",
    "withdrawn",
    "in_progress",
    "in_progress_within_deadline",
    "in_progress_overdue",
    "returned",
    "returned_counter",
    "returned_postal",
    "returned_online",
    "evaluations",
    "very_satisfied",
    "satisfied",
    "neutral",
    "dissatisfied",
    "very_dissatisfied",
    "digitized",
    "fee_bearing",
    "paid_online",
]
# rate → (numerator counts, denominator count)
RATES: dict[str, tuple[tuple[str, ...], str]] = {
    "online_rate": (("received_online",), "received"),
    "resolution_rate": (("resolved",), "to_process"),
    "on_time_rate": (("resolved_early", "resolved_on_time"), "resolved"),
    "early_rate": (("resolved_early",), "resolved"),
    "on_time_only_rate": (("resolved_on_time",), "resolved"),
    "late_rate": (("resolved_late",), "resolved"),
    "in_progress_rate": (("in_progress",), "to_process"),
    "satisfaction_rate": (("very_satisfied", "satisfied"), "evaluations"),
    "very_satisfied_rate": (("very_satisfied",), "evaluations"),
    "digitization_rate": (("digitized",), "received"),
    "online_payment_rate": (("paid_online",), "fee_bearing"),
    "postal_return_rate": (("returned_postal",), "returned"),
}
HUNDREDTHS = Decimal("0.01")


def counted(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The dossiers the indicators count: received ones, an interconnected parent
    through its members."""
    return timeliness.without_group_parents(dossiers.filter(received_at__isnull=False))


class ScopeFilters(TypedDict, total=False):
    """What narrows a scope further (Scope's fields of the same names)."""

    sector_id: int | None
    procedure_id: int | None


@dataclass(frozen=True)
class Scope:
    """Where: a unit with all its descendants, or one agency, or one reception point."""

    unit_ids: frozenset[int] = frozenset()
    agency_id: int | None = None
    reception_point_id: int | None = None
    sector_id: int | None = None
    procedure_id: int | None = None

    @classmethod
    def of_unit(cls, unit: AdministrativeUnit, **filters: Unpack[ScopeFilters]) -> "Scope":
        return cls(unit_ids=frozenset(unit_with_descendant_ids([unit.pk])), **filters)

    @classmethod
    def of_agency(cls, agency: Agency, **filters: Unpack[ScopeFilters]) -> "Scope":
        """The dossiers whose competent agency it is, wherever they were received."""
        return cls(agency_id=agency.pk, **filters)

    @classmethod
    def of_reception_point(cls, point: ReceptionPoint, **filters: Unpack[ScopeFilters]) -> "Scope":
        """The dossiers received there, whichever agency settles them."""
        return cls(reception_point_id=point.pk, **filters)

    def dossiers(self) -> QuerySet[Dossier]:
        dossiers = counted(Dossier.objects.all())
        if self.unit_ids:
            dossiers = dossiers.filter(unit_id__in=self.unit_ids)
        if self.agency_id is not None:
            dossiers = dossiers.filter(agency_id=self.agency_id)
        if self.reception_point_id is not None:
            dossiers = dossiers.filter(reception_point_id=self.reception_point_id)
        if self.sector_id is not None:
            dossiers = dossiers.filter(procedure__sector_id=self.sector_id)
        if self.procedure_id is not None:
            dossiers = dossiers.filter(procedure_id=self.procedure_id)
        return dossiers

    def snapshot_rows(self, rows: QuerySet) -> QuerySet:
        """The same scope over snapshot rows (MonthlyFlow, OpenOverdue), which carry the
        sector themselves."""
        # Agency and reception point are columns of every snapshot row, so their scopes read
        # the snapshot as a unit's does and match the live count of kpi_report.
        if self.unit_ids:
            rows = rows.filter(unit_id__in=self.unit_ids)
        if self.agency_id is not None:
            rows = rows.filter(agency_id=self.agency_id)
        if self.reception_point_id is not None:
            rows = rows.filter(reception_point_id=self.reception_point_id)
        if self.sector_id is not None:
            rows = rows.filter(sector_id=self.sector_id)
        if self.procedure_id is not None:
            rows = rows.filter(procedure_id=self.procedure_id)
        return rows


@dataclass(frozen=True)
class Period:
    """Inclusive local dates."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end}) before it starts ({self.start})")

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=LOCAL_TIME)

    @property
    def end_at(self) -> datetime:
        """The first instant after the period."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=LOCAL_TIME)


@dataclass
class Indicators:
    counts: dict[str, int]
    rates: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.rates:
            self.rates = rates_of(self.counts)


def rate(numerator: int, denominator: int) -> float | None:
    """A percentage rounded half-up to two decimals; None over an empty denominator."""
    if not denominator:
        return None
    value = (Decimal(numerator) * 100 / Decimal(denominator)).quantize(
        HUNDREDTHS, rounding=ROUND_HALF_UP
    )
    return float(value)


def rates_of(counts: dict[str, int]) -> dict[str, float | None]:
    return {
        name: rate(sum(counts[n] for n in numerators), counts[denominator])
        for name, (numerators, denominator) in RATES.items()
    }


# What distinguishes the counts within a flow (shared with reporting.snapshots).
COUNTER = Q(channel=Channel.COUNTER)
POSTAL = Q(channel=Channel.POSTAL)
ONLINE_FULL = Q(channel=Channel.ONLINE, online_level=OnlineLevel.FULL)
ONLINE_PARTIAL = Q(channel=Channel.ONLINE, online_level=OnlineLevel.PARTIAL)
RECEIVED_SPLITS: dict[str, Q] = {
    "received": Q(),
    "received_counter": COUNTER,
    "received_online": Q(channel=Channel.ONLINE),
    "received_postal": POSTAL,
    "received_online_full": ONLINE_FULL,
    "received_online_partial": ONLINE_PARTIAL,
    "received_level3": Q(channel=Channel.ONLINE, legacy_level=3),
    "received_level4": Q(channel=Channel.ONLINE, legacy_level=4),
    "digitized": Q(digitized=True),
    "fee_bearing": Q(fee_amount__gt=0),
    "paid_online": Q(fee_amount__gt=0, paid_online=True),
}
# Against the legal due time, on dossiers `with_days` (or the snapshot's own days).
RESOLVED_SPLITS: dict[str, Q] = {
    "resolved": Q(),
    "resolved_early": timeliness.RESOLVED_EARLY,
    "resolved_on_time": timeliness.RESOLVED_ON_TIME,
    "resolved_late": timeliness.RESOLVED_LATE,
    # How the resolved dossiers were received: the communes' "online type" reports.
    "resolved_counter": COUNTER,
    "resolved_postal": POSTAL,
    "resolved_online_full": ONLINE_FULL,
    "resolved_online_partial": ONLINE_PARTIAL,
}
RETURNED_SPLITS: dict[str, Q] = {
    "returned": Q(),
    "returned_counter": Q(result_delivery=ResultDelivery.COUNTER),
    "returned_postal": Q(result_delivery=ResultDelivery.POSTAL),
    "returned_online": Q(result_delivery=ResultDelivery.ONLINE),
}


def compute(scope: Scope, period: Period, *, now: datetime | None = None) -> Indicators:
    """Live, from the dossiers: two aggregate queries (dossiers, evaluations) whatever
    their number. Dashboards read the same figures from reporting.snapshots."""
    start, end = period.start_at, period.end_at
    # Overdue "as of the period end", but never judged by a time still to come.
    reference = min(end, now or timezone.now())
    received = Q(received_at__gte=start, received_at__lt=end)
    resolved = Q(processing_ended_at__gte=start, processing_ended_at__lt=end)
    returned = Q(returned_at__gte=start, returned_at__lt=end)
    carried = (
        Q(received_at__lt=start) & ~Q(processing_ended_at__lt=start) & ~Q(withdrawn_at__lt=start)
    )
    open_at_end = (received | carried) & ~Q(processing_ended_at__lt=end) & ~Q(withdrawn_at__lt=end)
    conditions = {
        **{name: received & split for name, split in RECEIVED_SPLITS.items()},
        **{name: resolved & split for name, split in RESOLVED_SPLITS.items()},
        **{name: returned & split for name, split in RETURNED_SPLITS.items()},
        "carried_over": carried,
        "withdrawn": Q(withdrawn_at__gte=start, withdrawn_at__lt=end),
        "in_progress": open_at_end,
        # The dossiers never paused here; the few others by their pauses, below.
        "in_progress_overdue": open_at_end & timeliness.overdue_unpaused(reference),
    }
    counts = timeliness.with_days(scope.dossiers()).aggregate(
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()}
    )
    paused = scope.dossiers().filter(open_at_end, timeliness.EVER_PAUSED)
    counts["in_progress_overdue"] += timeliness.overdue_at(paused, reference).count()
    counts["to_process"] = counts["received"] + counts["carried_over"]
    counts["in_progress_within_deadline"] = counts["in_progress"] - counts["in_progress_overdue"]
    counts |= Evaluation.objects.filter(
        dossier__in=scope.dossiers(), evaluated_at__gte=start, evaluated_at__lt=end
    ).aggregate(**EVALUATION_COUNTS)
    return Indicators({name: counts[name] for name in COUNT_NAMES})


EVALUATION_COUNTS = {
    "evaluations": Count("pk"),
    **{rating: Count("pk", filter=Q(rating=rating)) for rating in Evaluation.Rating.values},
}
