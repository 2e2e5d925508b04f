"""Readers of the take-a-number queue: the public board and kiosk (no personal data), the
counter's own view, the satisfaction kiosk, and waiting and serving times for reports."""

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from django.db.models import Q, QuerySet
from django.utils import timezone

from dossiers.models import Dossier, Evaluation
from dossiers.services.evaluations import EVALUABLE
from portal.models import User
from portal.roles import Role
from procedures.models import ReceptionPoint
from procedures.selectors import officer_scope
from reception.models import QueueCounter, QueueLine, QueueTicket

# A dossier noted at a counter is offered on its kiosk for this long, unless the counter
# calls the next number first: a visitor who left without rating is not shown to the next.
KIOSK_OFFER = timedelta(minutes=30)
BOARD_CALLS = 6
CURRENT = (QueueTicket.Status.CALLED, QueueTicket.Status.SERVING)


def open_point(code: str) -> ReceptionPoint | None:
    """A reception point open today, by the code in its kiosk and board addresses."""
    return ReceptionPoint.objects.valid_on(timezone.localdate()).filter(code=code).first()


def points_served_by(user: User) -> QuerySet[ReceptionPoint]:
    """The reception points whose counters the officer works (reception officer role)."""
    ids = officer_scope(user=user, role=Role.RECEPTION_OFFICER).reception_point_ids
    return ReceptionPoint.objects.valid_on(timezone.localdate()).filter(pk__in=ids)


def active_lines(point: ReceptionPoint) -> list[QueueLine]:
    return list(point.queue_lines.filter(is_active=True).select_related("sector"))


def tickets_today(point: ReceptionPoint) -> QuerySet[QueueTicket]:
    return QueueTicket.objects.filter(reception_point=point, day=timezone.localdate())


def waiting_before(ticket: QueueTicket) -> int:
    """How many of the same line were taken before this number and still wait."""
    return (
        QueueTicket.objects.filter(
            reception_point_id=ticket.reception_point_id,
            day=ticket.day,
            line_id=ticket.line_id,
            status=QueueTicket.Status.WAITING,
        )
        .filter(Q(issued_at__lt=ticket.issued_at) | Q(issued_at=ticket.issued_at, pk__lt=ticket.pk))
        .count()
    )


@dataclass(frozen=True)
class BoardCall:
    number: str
    counter: int
    announced_at: datetime


@dataclass(frozen=True)
class LineWaiting:
    name: str
    prefix: str
    waiting: int


@dataclass(frozen=True)
class Board:
    calls: list[BoardCall]
    waiting: list[LineWaiting]

    @property
    def latest(self) -> BoardCall | None:
        return self.calls[0] if self.calls else None


def board(point: ReceptionPoint) -> Board:
    """The last numbers called today, latest first, and how many wait per line."""
    called = (
        tickets_today(point)
        .filter(announced_at__isnull=False)
        .exclude(status=QueueTicket.Status.SKIPPED)
        .order_by("-announced_at", "-pk")[:BOARD_CALLS]
    )
    # Numbers announced: each was called at a counter.
    calls = [
        BoardCall(t.display, cast(int, t.counter), cast(datetime, t.announced_at)) for t in called
    ]
    counts: dict[int | None, int] = defaultdict(int)
    for line_id in (
        tickets_today(point)
        .filter(status=QueueTicket.Status.WAITING)
        .values_list("line_id", flat=True)
    ):
        counts[line_id] += 1
    lines = active_lines(point)
    waiting = [LineWaiting(line.name, line.prefix, counts[line.pk]) for line in lines]
    if not lines or counts[None]:
        waiting.insert(0, LineWaiting("", "", counts[None]))
    return Board(calls, waiting)


@dataclass(frozen=True)
class CounterView:
    current: QueueTicket | None
    waiting: list[QueueTicket]
    waiting_total: int


def counter_view(point: ReceptionPoint, counter: int, *, limit: int = 20) -> CounterView:
    """What the counter officer sees: the number at their counter and the numbers their
    counter may call, in calling order."""
    today = tickets_today(point)
    current = today.filter(counter=counter, status__in=CURRENT).prefetch_related("dossiers").first()
    lines = [line.pk for line in point.queue_lines.all() if line.is_served_by(counter)]
    waiting = (
        today.filter(status=QueueTicket.Status.WAITING)
        .filter(Q(line__isnull=True) | Q(line_id__in=lines))
        .select_related("line")
        .order_by("issued_at", "pk")
    )
    return CounterView(current, list(waiting[:limit]), waiting.count())


@dataclass(frozen=True)
class QueueFigures:
    """Waiting time = called - taken; serving time = finished - called; in seconds."""

    day: date
    reception_point_id: int
    issued: int
    called: int
    served: int
    skipped: int
    waiting_average: float | None
    waiting_p90: float | None
    serving_average: float | None
    serving_p90: float | None


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile: the smallest value with at least `share` of all at or
    below it (p90 of 1..10 is 9). Kept in Python: SQLite has no percentile function and a
    point's day is a few hundred numbers."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def _average(values: list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def report_points(user: User) -> QuerySet[ReceptionPoint]:
    """The reception points whose queue figures the user may read: those they work at or
    whose unit they manage (queue_figures reads the same)."""
    ids = (
        officer_scope(user=user, role=Role.RECEPTION_OFFICER).reception_point_ids
        | officer_scope(user=user, role=Role.MANAGER).reception_point_ids
    )
    return ReceptionPoint.objects.filter(pk__in=ids).order_by("name")


def queue_figures(
    *, user: User, start: date, end: date, reception_point_id: int | None = None
) -> list[QueueFigures]:
    """Per day and reception point, inclusive dates, for the points the user works at
    (reception officer) or manages (a manager's units with their points)."""
    tickets = QueueTicket.objects.filter(
        reception_point__in=report_points(user), day__gte=start, day__lte=end
    )
    if reception_point_id is not None:
        tickets = tickets.filter(reception_point_id=reception_point_id)
    rows = tickets.values_list(
        "day", "reception_point_id", "status", "issued_at", "called_at", "finished_at"
    )
    grouped: dict[tuple[date, int], list[list[Any]]] = defaultdict(list)
    for day, point_id, *rest in rows:
        grouped[(day, point_id)].append(rest)
    figures = []
    for (day, point_id), group in sorted(grouped.items()):
        waits = [(c - i).total_seconds() for _, i, c, _ in group if c is not None]
        serves = [(f - c).total_seconds() for _, _, c, f in group if c and f]
        figures.append(
            QueueFigures(
                day=day,
                reception_point_id=point_id,
                issued=len(group),
                called=len(waits),
                served=sum(1 for s, *_ in group if s == QueueTicket.Status.DONE),
                skipped=sum(1 for s, *_ in group if s == QueueTicket.Status.SKIPPED),
                waiting_average=_average(waits),
                waiting_p90=percentile(waits, 0.9),
                serving_average=_average(serves),
                serving_p90=percentile(serves, 0.9),
            )
        )
    return figures


@dataclass(frozen=True)
class KioskDossier:
    """What the citizen facing the tablet may see: no personal data beyond initials."""

    id: str
    code: str
    procedure: str
    initials: str
    evaluable: bool
    key: str


def initials(name: str) -> str:
    """Nguyễn Thị Lan → N. T. L."""
    return " ".join(f"{part[0].upper()}." for part in name.split() if part)


def kiosk_dossier(point: ReceptionPoint, counter: int) -> KioskDossier | None:
    """The dossier just handled at the counter and not yet rated, while it is fresh."""
    row = (
        QueueCounter.objects.filter(reception_point=point, number=counter)
        .select_related("served_dossier__procedure")
        .first()
    )
    if row is None or row.served_dossier is None or row.served_at is None:
        return None
    if timezone.now() - row.served_at > KIOSK_OFFER:
        return None
    dossier: Dossier = row.served_dossier
    if Evaluation.objects.filter(dossier=dossier).exists():
        return None
    return KioskDossier(
        id=str(dossier.pk),
        code=dossier.code or dossier.reference,
        procedure=dossier.procedure.name,
        initials=initials(dossier.applicant_name),
        evaluable=dossier.status in EVALUABLE,
        key=f"{dossier.pk}.{dossier.version}.{row.served_at.timestamp():.0f}",
    )
