"""Writers of the take-a-number queue: issue a number, call it to a counter, recall, skip,
finish, note the dossier handled for the satisfaction kiosk, and start that kiosk on a
counter's tablet."""

from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django_fsm import can_proceed

from dossiers.models import Dossier
from portal import audit, sequences
from portal.models import User
from portal.roles import Role
from procedures.models import ReceptionPoint
from procedures.selectors import officer_scope
from reception.errors import (
    CounterBusyError,
    CounterOutOfRangeError,
    QueueError,
    QueueLineNotOfferedError,
    QueueLineRequiredError,
    QueuePointClosedError,
    QueuePointDeniedError,
    TicketNotFinishableError,
    TicketNotRecallableError,
    TicketNotSkippableError,
)
from reception.models import QueueCounter, QueueLine, QueueTicket, TicketSequence
from reception.queue import credentials

CURRENT = (QueueTicket.Status.CALLED, QueueTicket.Status.SERVING)


def may_serve(officer: User | None, point_id: int) -> bool:
    """Only reception officers of the point work its counters (RULES.md §1)."""
    if officer is None:
        return False
    return point_id in officer_scope(user=officer, role=Role.RECEPTION_OFFICER).reception_point_ids


def _check_counter(point: ReceptionPoint, counter: int) -> None:
    if not 1 <= counter <= point.counters:
        raise CounterOutOfRangeError(count=point.counters)


def _allocate_number(point: ReceptionPoint, prefix: str, day: date) -> int:
    """Must run inside the caller's transaction: the sequence row stays locked until it
    commits, so numbers are consecutive and never shared (like dossiers.codes)."""
    return sequences.allocate_next(TicketSequence, reception_point=point, prefix=prefix, day=day)


@transaction.atomic
def queue_take_number(*, point: ReceptionPoint, line: QueueLine | None = None) -> QueueTicket:
    """Lấy số thứ tự: a visitor takes a number at the kiosk (no account, no personal data)."""
    now = timezone.now()
    day = timezone.localdate(now)
    if not point.is_valid_on(day):
        raise QueuePointClosedError
    lines = point.queue_lines.filter(is_active=True)
    if line is None and lines.exists():
        raise QueueLineRequiredError
    if line is not None and not lines.filter(pk=line.pk).exists():
        raise QueueLineNotOfferedError
    prefix = line.prefix if line is not None else ""
    return QueueTicket.objects.create(
        reception_point=point,
        line=line,
        day=day,
        prefix=prefix,
        number=_allocate_number(point, prefix, day),
        issued_at=now,
    )


def _locked_counter(point_id: int, counter: int) -> QueueCounter:
    """Lock order everywhere: the counter row first, then tickets."""
    QueueCounter.objects.get_or_create(reception_point_id=point_id, number=counter)
    return QueueCounter.objects.select_for_update().get(reception_point_id=point_id, number=counter)


def _close_current(row: QueueCounter, *, officer: User, now: datetime) -> None:
    """Calling the next number ends the one at the counter: the visitor was served. A
    number left open on an earlier day is closed without a serving time, so a counter
    forgotten overnight does not spoil the day's figures."""
    current = (
        QueueTicket.objects.select_for_update()
        .filter(reception_point_id=row.reception_point_id, counter=row.number, status__in=CURRENT)
        .order_by("-called_at")
    )
    for ticket in current:
        ticket.finish()
        if ticket.day == timezone.localdate(now):
            ticket.finished_at = now
        ticket.save()
        audit.record(
            actor=officer,
            event="reception.ticket_finished",
            target=ticket,
            data={"counter": ticket.counter, "closed_by_next_call": True},
        )


@transaction.atomic
def queue_call_next(*, officer: User, point: ReceptionPoint, counter: int) -> QueueTicket | None:
    """Gọi số tiếp theo: the counter takes the oldest waiting number of the lines it serves;
    None when nobody waits."""
    if not may_serve(officer, point.pk):
        raise QueuePointDeniedError
    _check_counter(point, counter)
    now = timezone.now()
    day = timezone.localdate(now)
    row = _locked_counter(point.pk, counter)
    _close_current(row, officer=officer, now=now)
    row.officer, row.served_dossier, row.served_at = officer, None, None
    row.save(update_fields=["officer", "served_dossier", "served_at"])
    # General numbers (no line) go to every counter; others to the counters of their line.
    lines = [line.pk for line in point.queue_lines.all() if line.is_served_by(counter)]
    # Two counters calling at once: each skips the row the other has locked, so they never
    # get the same number and neither waits for the other.
    ticket = (
        QueueTicket.objects.select_for_update(skip_locked=True)
        .filter(reception_point=point, day=day, status=QueueTicket.Status.WAITING)
        .filter(Q(line__isnull=True) | Q(line_id__in=lines))
        .order_by("issued_at", "pk")
        .first()
    )
    if ticket is None:
        return None
    ticket.call()
    ticket.called_at = ticket.announced_at = now
    ticket.counter, ticket.called_by = counter, officer
    try:
        with transaction.atomic():
            ticket.save()
    except IntegrityError as error:  # another officer called to the same counter just now
        raise CounterBusyError from error
    audit.record(
        actor=officer, event="reception.ticket_called", target=ticket, data={"counter": counter}
    )
    return ticket


def _locked_ticket(*, officer: User, ticket_id: int, action: str) -> QueueTicket:
    ticket = QueueTicket.objects.select_for_update().get(pk=ticket_id)
    if not may_serve(officer, ticket.reception_point_id):
        raise QueuePointDeniedError
    if not can_proceed(getattr(ticket, action)):
        raise REFUSALS[action](number=ticket.display, status=_ticket_status(ticket))
    return ticket


REFUSALS: dict[str, type[QueueError]] = {
    "recall": TicketNotRecallableError,
    "skip": TicketNotSkippableError,
    "finish": TicketNotFinishableError,
}


def _ticket_status(ticket: QueueTicket) -> object:
    """The state's label, still lazy: translated when the refusal is shown."""
    return QueueTicket.Status(ticket.status).label


@transaction.atomic
def queue_recall(*, officer: User, ticket_id: int) -> QueueTicket:
    """Gọi lại: announce the number at the counter again."""
    ticket = _locked_ticket(officer=officer, ticket_id=ticket_id, action="recall")
    ticket.recall()
    ticket.announced_at = timezone.now()
    ticket.recall_count += 1
    ticket.save()
    audit.record(
        actor=officer,
        event="reception.ticket_recalled",
        target=ticket,
        data={"counter": ticket.counter, "recalls": ticket.recall_count},
    )
    return ticket


@transaction.atomic
def queue_skip(*, officer: User, ticket_id: int) -> QueueTicket:
    """Bỏ qua: the visitor did not come to the counter."""
    ticket = _locked_ticket(officer=officer, ticket_id=ticket_id, action="skip")
    ticket.skip()
    ticket.skipped_at = timezone.now()
    ticket.save()
    audit.record(
        actor=officer,
        event="reception.ticket_skipped",
        target=ticket,
        data={"counter": ticket.counter},
    )
    return ticket


@transaction.atomic
def queue_finish(*, officer: User, ticket_id: int) -> QueueTicket:
    """Hoàn thành: the visitor has been served."""
    ticket = _locked_ticket(officer=officer, ticket_id=ticket_id, action="finish")
    ticket.finish()
    ticket.finished_at = timezone.now()
    ticket.save()
    audit.record(
        actor=officer,
        event="reception.ticket_finished",
        target=ticket,
        data={"counter": ticket.counter},
    )
    return ticket


@transaction.atomic
def counter_note_dossier(*, officer: User, dossier: Dossier) -> None:
    """The dossier just received or whose result was just returned at the officer's
    counter: attached to the number being served there and offered on the satisfaction
    kiosk. Nothing happens when the officer serves no number of the dossier's point."""
    serving = QueueTicket.objects.filter(
        called_by=officer,
        status__in=CURRENT,
        reception_point_id=dossier.reception_point_id,
        day=timezone.localdate(),
    ).order_by("-announced_at", "-pk")  # an officer at two counters: the latest call
    seen = serving.values("reception_point_id", "counter").first()
    if seen is None:
        return
    assert seen["counter"] is not None  # a number called is called at a counter
    row = _locked_counter(seen["reception_point_id"], seen["counter"])
    # Read again under the counter's lock: a "call next" may have closed it meanwhile.
    ticket = serving.select_for_update().filter(counter=row.number).first()
    if ticket is None:
        return
    ticket.serve()
    ticket.save()
    ticket.dossiers.add(dossier)
    row.served_dossier, row.served_at = dossier, timezone.now()
    row.save(update_fields=["served_dossier", "served_at"])
    audit.record(
        actor=officer,
        event="reception.ticket_dossier_noted",
        target=ticket,
        data={"counter": ticket.counter, "dossier": str(dossier.pk)},
    )


@transaction.atomic
def kiosk_start(*, officer: User, point: ReceptionPoint, counter: int) -> str:
    """Mở máy đánh giá mức độ hài lòng tại quầy: the officer hands a counter's tablet over to
    the satisfaction kiosk; returns the device's credential (the officer's session on the
    device is to end with it)."""
    if not point.is_valid_on(timezone.localdate()) or not may_serve(officer, point.pk):
        raise QueuePointDeniedError
    _check_counter(point, counter)
    token = credentials.issue(point_id=point.pk, counter=counter, officer_id=officer.pk)
    audit.record(
        actor=officer,
        event="reception.kiosk_started",
        target=point,
        data={"counter": counter, "hours": credentials.kiosk_hours()},
    )
    return token
