"""The take-a-number queue: numbering, calling at the counters, the times kept for reports,
the public kiosk and board, and who may do what."""

import uuid
from datetime import date, timedelta

import pytest
import time_machine
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.urls import reverse
from django.utils import translation

from dossiers.models import Status
from dossiers.tests.conftest import _officer
from dossiers.tests.test_clock import at
from dossiers.tests.test_concurrency import race
from portal.models import AuditEvent
from portal.roles import Role
from reception.models import QueueCounter, QueueLine, QueueTicket, TicketSequence
from reception.queue import selectors, services, views

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_throttle_counts(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kiosk's per-address counts live in the cache, which Redis keeps across tests."""
    monkeypatch.setattr(views, "cache", LocMemCache(uuid.uuid4().hex, {}))


@pytest.fixture(autouse=True)
def _english():
    """Messages of the services are asserted in English; pages choose their own language."""
    with translation.override("en"):
        yield


@pytest.fixture
def lines(office) -> tuple[QueueLine, QueueLine]:
    """Three counters: civil status at counters 1 and 2, certification at counter 3."""
    office.point.counters = 3
    office.point.save()
    return (
        QueueLine.objects.create(
            reception_point=office.point, name="Hộ tịch", prefix="A", counters="1,2", position=1
        ),
        QueueLine.objects.create(
            reception_point=office.point, name="Chứng thực", prefix="B", counters="3", position=2
        ),
    )


def take(point, line=None, when=None) -> QueueTicket:
    if when is None:
        return services.queue_take_number(point=point, line=line)
    with time_machine.travel(when, tick=False):
        return services.queue_take_number(point=point, line=line)


def state(ticket: QueueTicket) -> tuple:
    ticket = QueueTicket.objects.get(pk=ticket.pk)
    return (ticket.status, ticket.counter, ticket.called_at, ticket.recall_count, ticket.skipped_at)


# Numbering -------------------------------------------------------------------------------


def test_numbers_run_per_line_and_start_again_each_day(office, lines) -> None:
    civil, certification = lines
    monday = [
        take(office.point, civil, at(2, 8)),
        take(office.point, civil, at(2, 8, 1)),
        take(office.point, certification, at(2, 8, 2)),
        take(office.point, civil, at(2, 8, 3)),
    ]
    tuesday = take(office.point, civil, at(3, 8))

    assert [t.display for t in monday] == ["A001", "A002", "B001", "A003"]
    assert [t.day for t in monday] == [date(2026, 3, 2)] * 4
    assert (tuesday.display, tuesday.day) == ("A001", date(2026, 3, 3))
    assert monday[0].status == QueueTicket.Status.WAITING
    assert monday[0].issued_at == at(2, 8)
    assert TicketSequence.objects.get(prefix="A", day=date(2026, 3, 2)).last == 3


def test_a_point_without_lines_gives_plain_numbers(office) -> None:
    tickets = [take(office.other_point, when=at(2, 8, n)) for n in range(1, 4)]

    assert [t.display for t in tickets] == ["001", "002", "003"]
    assert tickets[0].line is None


def test_a_number_needs_an_open_line_of_the_point(office, lines) -> None:
    closed = QueueLine.objects.create(
        reception_point=office.point, name="Đất đai", prefix="C", is_active=False
    )
    elsewhere = QueueLine.objects.create(
        reception_point=office.other_point, name="Hộ tịch", prefix="A"
    )

    for line in (None, closed, elsewhere):
        with pytest.raises(ValidationError) as refused:
            services.queue_take_number(point=office.point, line=line)
        assert "line" in refused.value.message_dict

    assert QueueTicket.objects.count() == 0
    assert TicketSequence.objects.count() == 0


def test_a_closed_reception_point_gives_no_number(office) -> None:
    office.other_point.valid_to = date(2026, 3, 1)
    office.other_point.save()

    with pytest.raises(ValidationError):
        take(office.other_point, when=at(2, 8))
    assert QueueTicket.objects.count() == 0


# Calling ---------------------------------------------------------------------------------


def test_a_counter_calls_the_oldest_number_of_the_lines_it_serves(office, lines) -> None:
    civil, certification = lines
    first_civil = take(office.point, civil, at(2, 8))
    first_certification = take(office.point, certification, at(2, 8, 1))
    second_civil = take(office.point, civil, at(2, 8, 2))

    with time_machine.travel(at(2, 8, 10), tick=False):
        at_three = services.queue_call_next(officer=office.reception, point=office.point, counter=3)
        at_one = services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        at_two = services.queue_call_next(officer=office.reception, point=office.point, counter=2)

    assert (at_three, at_one, at_two) == (first_certification, first_civil, second_civil)
    called = QueueTicket.objects.get(pk=first_civil.pk)
    assert called.status == QueueTicket.Status.CALLED
    assert (called.counter, called.called_by) == (1, office.reception)
    assert called.called_at == called.announced_at == at(2, 8, 10)
    assert AuditEvent.objects.filter(event="reception.ticket_called").count() == 3


def test_calling_the_next_number_finishes_the_one_at_the_counter(office, lines) -> None:
    civil, _ = lines
    first = take(office.point, civil, at(2, 8))
    second = take(office.point, civil, at(2, 8, 1))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)

    with time_machine.travel(at(2, 8, 17), tick=False):
        called = services.queue_call_next(officer=office.reception, point=office.point, counter=1)

    assert called == second
    first = QueueTicket.objects.get(pk=first.pk)
    assert first.status == QueueTicket.Status.DONE
    assert first.finished_at == at(2, 8, 17)
    assert QueueTicket.objects.get(pk=second.pk).called_at == at(2, 8, 17)


def test_nobody_waiting_gives_nothing_and_frees_the_counter(office, lines) -> None:
    civil, _ = lines
    only = take(office.point, civil, at(2, 8))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)

    with time_machine.travel(at(2, 8, 9), tick=False):
        called = services.queue_call_next(officer=office.reception, point=office.point, counter=1)

    assert called is None
    assert state(only)[0] == QueueTicket.Status.DONE


def test_a_number_left_at_the_counter_overnight_is_closed_without_a_serving_time(
    office, lines
) -> None:
    civil, _ = lines
    forgotten = take(office.point, civil, at(2, 16))
    with time_machine.travel(at(2, 16, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)

    with time_machine.travel(at(3, 8), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)

    forgotten = QueueTicket.objects.get(pk=forgotten.pk)
    assert forgotten.status == QueueTicket.Status.DONE
    assert forgotten.finished_at is None


def test_recall_announces_again_and_keeps_the_first_call_time(office, lines) -> None:
    civil, _ = lines
    ticket = take(office.point, civil, at(2, 8))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=2)

    with time_machine.travel(at(2, 8, 6), tick=False):
        services.queue_recall(officer=office.reception, ticket_id=ticket.pk)
    with time_machine.travel(at(2, 8, 7), tick=False):
        recalled = services.queue_recall(officer=office.reception, ticket_id=ticket.pk)

    assert recalled.status == QueueTicket.Status.CALLED
    assert (recalled.called_at, recalled.announced_at) == (at(2, 8, 5), at(2, 8, 7))
    assert recalled.recall_count == 2
    assert AuditEvent.objects.filter(event="reception.ticket_recalled").count() == 2


def test_skip_and_finish_record_their_times(office, lines) -> None:
    civil, _ = lines
    absent, present = take(office.point, civil, at(2, 8)), take(office.point, civil, at(2, 8, 1))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        services.queue_call_next(officer=office.reception, point=office.point, counter=2)

    with time_machine.travel(at(2, 8, 8), tick=False):
        skipped = services.queue_skip(officer=office.reception, ticket_id=absent.pk)
    with time_machine.travel(at(2, 8, 20), tick=False):
        finished = services.queue_finish(officer=office.reception, ticket_id=present.pk)

    assert (skipped.status, skipped.skipped_at, skipped.finished_at) == (
        QueueTicket.Status.SKIPPED,
        at(2, 8, 8),
        None,
    )
    assert (finished.status, finished.finished_at) == (QueueTicket.Status.DONE, at(2, 8, 20))


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (services.queue_recall, "Number A001 cannot be recalled"),
        (services.queue_skip, "Number A001 cannot be skipped"),
        (services.queue_finish, "Number A001 cannot be finished"),
    ],
)
def test_a_waiting_number_cannot_be_recalled_skipped_or_finished(
    office, lines, action, message
) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    events = AuditEvent.objects.count()

    with pytest.raises(services.QueueError, match=message):
        action(officer=office.reception, ticket_id=ticket.pk)

    assert state(ticket) == (QueueTicket.Status.WAITING, None, None, 0, None)
    assert AuditEvent.objects.count() == events


def test_a_skipped_number_cannot_be_skipped_again(office, lines) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        services.queue_skip(officer=office.reception, ticket_id=ticket.pk)
    before = state(ticket)

    with pytest.raises(services.QueueError):
        services.queue_skip(officer=office.reception, ticket_id=ticket.pk)

    assert state(ticket) == before


def test_a_counter_the_point_does_not_have_calls_nothing(office, lines) -> None:
    ticket = take(office.point, lines[0], at(2, 8))

    with pytest.raises(ValidationError, match="counters 1 to 3"):
        services.queue_call_next(officer=office.reception, point=office.point, counter=4)

    assert state(ticket)[0] == QueueTicket.Status.WAITING


@pytest.mark.parametrize("who", ["applicant", "other_reception", "processing", "leader"])
def test_only_officers_of_the_point_call_numbers(office, lines, who) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
    events, before = AuditEvent.objects.count(), state(ticket)
    actor = getattr(office, who)

    with pytest.raises(PermissionDenied):
        services.queue_call_next(officer=actor, point=office.point, counter=2)
    for action in (services.queue_recall, services.queue_skip, services.queue_finish):
        with pytest.raises(PermissionDenied):
            action(officer=actor, ticket_id=ticket.pk)

    assert state(ticket) == before
    assert AuditEvent.objects.count() == events


# The dossier handled while a number is served --------------------------------------------


def test_a_dossier_received_at_the_counter_is_attached_to_the_number(office, lines) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    dossier = office.dossier(Status.RECEIVED)
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=2)

    with time_machine.travel(at(2, 8, 12), tick=False):
        services.counter_note_dossier(officer=office.reception, dossier=dossier)

    ticket = QueueTicket.objects.get(pk=ticket.pk)
    assert ticket.status == QueueTicket.Status.SERVING
    assert list(ticket.dossiers.all()) == [dossier]
    row = QueueCounter.objects.get(reception_point=office.point, number=2)
    assert (row.served_dossier, row.served_at) == (dossier, at(2, 8, 12))
    assert AuditEvent.objects.filter(event="reception.ticket_dossier_noted").count() == 1


def test_noting_a_dossier_without_a_number_at_the_counter_does_nothing(office, lines) -> None:
    dossier = office.dossier(Status.RECEIVED)
    waiting = take(office.point, lines[0], at(2, 8))
    events = AuditEvent.objects.count()

    with time_machine.travel(at(2, 8, 12), tick=False):
        services.counter_note_dossier(officer=office.reception, dossier=dossier)
        # Another point's dossier is not attached to this point's number either.
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        services.counter_note_dossier(
            officer=office.reception,
            dossier=office.dossier(Status.RECEIVED, reception_point=office.other_point),
        )

    assert state(waiting)[0] == QueueTicket.Status.CALLED
    assert QueueTicket.objects.get(pk=waiting.pk).dossiers.count() == 0
    assert QueueCounter.objects.filter(served_dossier__isnull=False).count() == 0
    assert AuditEvent.objects.count() == events + 1  # the call only


def test_serving_a_number_can_still_be_finished(office, lines) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        services.counter_note_dossier(
            officer=office.reception, dossier=office.dossier(Status.RECEIVED)
        )

    with time_machine.travel(at(2, 8, 25), tick=False):
        done = services.queue_finish(officer=office.reception, ticket_id=ticket.pk)

    assert (done.status, done.finished_at) == (QueueTicket.Status.DONE, at(2, 8, 25))


# Times for reports -----------------------------------------------------------------------


def serve(office, line, taken, called, finished=None, counter=1, skip=False) -> QueueTicket:
    ticket = take(office.point, line, taken)
    with time_machine.travel(called, tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=counter)
    with time_machine.travel(finished or called, tick=False):
        if skip:
            services.queue_skip(officer=office.reception, ticket_id=ticket.pk)
        else:
            services.queue_finish(officer=office.reception, ticket_id=ticket.pk)
    return ticket


def test_waiting_and_serving_times_per_day_and_point(office, lines) -> None:
    civil, _ = lines
    # Waits of 5, 10, 20 and 40 minutes; services of 6, 12 and 30 minutes; one absent.
    serve(office, civil, at(2, 8), at(2, 8, 5), at(2, 8, 11))
    serve(office, civil, at(2, 8, 2), at(2, 8, 12), at(2, 8, 24))
    serve(office, civil, at(2, 8, 10), at(2, 8, 30), at(2, 9))
    serve(office, civil, at(2, 8, 20), at(2, 9, 0), skip=True)
    take(office.point, civil, at(2, 9, 30))  # still waiting: no times yet
    serve(office, civil, at(3, 8), at(3, 8, 1), at(3, 8, 2))
    manager = _officer("quanly", Role.MANAGER, unit=office.unit)

    figures = selectors.queue_figures(user=manager, start=date(2026, 3, 2), end=date(2026, 3, 2))

    assert figures == [
        selectors.QueueFigures(
            day=date(2026, 3, 2),
            reception_point_id=office.point.pk,
            issued=5,
            called=4,
            served=3,
            skipped=1,
            waiting_average=1125.0,  # (300 + 600 + 1200 + 2400) / 4
            waiting_p90=2400.0,
            serving_average=960.0,  # (360 + 720 + 1800) / 3
            serving_p90=1800.0,
        )
    ]
    both_days = selectors.queue_figures(
        user=office.reception, start=date(2026, 3, 2), end=date(2026, 3, 3)
    )
    assert [(f.day, f.issued, f.waiting_p90) for f in both_days] == [
        (date(2026, 3, 2), 5, 2400.0),
        (date(2026, 3, 3), 1, 60.0),
    ]
    for outsider in (office.other_reception, office.leader, office.applicant):
        assert (
            selectors.queue_figures(user=outsider, start=date(2026, 3, 2), end=date(2026, 3, 3))
            == []
        )


def test_the_90th_percentile_is_the_nearest_rank() -> None:
    assert selectors.percentile([float(n) for n in range(10, 0, -1)], 0.9) == 9.0
    assert selectors.percentile([7.0], 0.9) == 7.0
    assert selectors.percentile([1.0, 2.0], 0.9) == 2.0
    assert selectors.percentile([], 0.9) is None


# The public kiosk and board --------------------------------------------------------------


def test_the_kiosk_offers_a_button_per_line_and_prints_the_number(client, office, lines) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    url = reverse("reception:queue:take", args=[office.point.code])
    take(office.point, lines[0], at(2, 7, 50))

    with time_machine.travel(at(2, 8, 3), tick=False):
        page = client.get(url)
        response = client.post(url, {"line": lines[0].pk})
        shown = client.get(response["Location"])

    assert page.status_code == 200
    assert page.content.decode().count('class="take-button"') == 2
    assert response.status_code == 302
    ticket = QueueTicket.objects.latest("pk")
    assert response["Location"] == reverse(
        "reception:queue:ticket", args=[office.point.code, ticket.pk]
    )
    html = shown.content.decode()
    assert '<p class="ticket-number">A002</p>' in html
    assert "08:03" in html
    assert "02/03/2026" in html
    assert "People waiting before you: 1" in html


def test_the_kiosk_refuses_a_line_of_another_point_and_unknown_points(
    client, office, lines
) -> None:
    elsewhere = QueueLine.objects.create(reception_point=office.other_point, name="X", prefix="X")
    url = reverse("reception:queue:take", args=[office.point.code])

    assert client.post(url, {"line": elsewhere.pk}).status_code == 400
    assert client.post(url, {}).status_code == 400
    assert client.get(reverse("reception:queue:take", args=["nowhere"])).status_code == 404
    assert QueueTicket.objects.count() == 0


def test_the_kiosk_throttles_a_burst_from_one_address(client, office, monkeypatch) -> None:
    monkeypatch.setattr(views, "TICKETS_PER_MINUTE", 3)
    url = reverse("reception:queue:take", args=[office.other_point.code])

    with time_machine.travel(at(2, 8, 0), tick=False):
        codes = [client.post(url).status_code for _ in range(5)]
    with time_machine.travel(at(2, 8, 1), tick=False):
        later = client.post(url).status_code

    assert codes == [302, 302, 302, 429, 429]
    assert later == 302
    assert QueueTicket.objects.count() == 4


def test_the_board_shows_the_last_calls_and_no_personal_data(client, office, lines) -> None:
    civil, certification = lines
    for minute in range(3):
        take(office.point, civil, at(2, 8, minute))
    take(office.point, certification, at(2, 8, 4))
    with time_machine.travel(at(2, 8, 10), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
    with time_machine.travel(at(2, 8, 11), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=3)
        services.counter_note_dossier(
            officer=office.reception, dossier=office.dossier(Status.RECEIVED)
        )
    with time_machine.travel(at(2, 8, 12), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=2)

    with time_machine.travel(at(2, 8, 13), tick=False):
        html = client.get(reverse("reception:queue:board", args=[office.point.code])).content
        data = selectors.board(office.point)
    html = html.decode()

    assert [(c.number, c.counter) for c in data.calls] == [("A002", 2), ("B001", 3), ("A001", 1)]
    assert [(w.prefix, w.waiting) for w in data.waiting] == [("A", 1), ("B", 0)]
    assert '<span class="board-number">A002</span>' in html
    assert '<span class="board-counter">2</span>' in html
    assert "<tr><td>B001</td><td>3</td></tr>" in html
    assert 'aria-live="polite"' in html
    assert "Nguyễn" not in html
    assert "H56.HT-" not in html


def test_the_board_polls_and_answers_204_while_nothing_changed(client, office, lines) -> None:
    take(office.point, lines[0], at(2, 8))
    url = reverse("reception:queue:board-calls", args=[office.point.code])
    with time_machine.travel(at(2, 8, 1), tick=False):
        first = client.get(url, headers={"HX-Request": "true"})
    version = first.content.decode().split("?v=")[1].split("&amp;")[0]

    with time_machine.travel(at(2, 8, 1) + timedelta(seconds=30), tick=False):
        unchanged = client.get(url, {"v": version, "c": ""})
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        changed = client.get(url, {"v": version, "c": ""})

    assert first.status_code == 200
    assert 'hx-swap-oob="innerHTML"' not in first.content.decode()
    assert unchanged.status_code == 204
    assert changed.status_code == 200
    assert 'hx-swap-oob="innerHTML"' in changed.content.decode()
    assert "A001" in changed.content.decode()


# The counter page, and who may use it ----------------------------------------------------


def choose(client, office, counter: int = 1):
    return client.post(
        reverse("reception:queue:counter-choose"), {"point": office.point.pk, "counter": counter}
    )


def test_the_counter_page_calls_and_finishes_numbers(client, office, lines) -> None:
    civil, _ = lines
    first, second = take(office.point, civil, at(2, 8)), take(office.point, civil, at(2, 8, 1))
    client.force_login(office.reception)

    with time_machine.travel(at(2, 8, 5), tick=False):
        assert choose(client, office, 2).status_code == 302
        called = client.post(reverse("reception:queue:call-next"))
        page = client.get(reverse("reception:queue:counter"))

    assert called.status_code == 302
    html = page.content.decode()
    assert '<p class="counter-number">A001</p>' in html
    assert 'data-shortcut="n"' in html
    assert '<th scope="row">A002</th>' in html
    with time_machine.travel(at(2, 8, 9), tick=False):
        finished = client.post(reverse("reception:queue:ticket-action", args=[first.pk, "finish"]))
    assert finished.status_code == 302
    assert state(first)[0] == QueueTicket.Status.DONE
    assert state(second)[0] == QueueTicket.Status.WAITING


def test_a_refused_counter_action_shows_why_with_409(client, office, lines) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    client.force_login(office.reception)
    choose(client, office)

    response = client.post(reverse("reception:queue:ticket-action", args=[ticket.pk, "skip"]))

    assert response.status_code == 409
    assert "A001" in response.content.decode()
    assert state(ticket)[0] == QueueTicket.Status.WAITING


def test_an_officer_cannot_choose_a_point_or_counter_that_is_not_theirs(
    client, office, lines
) -> None:
    client.force_login(office.other_reception)

    refused = choose(client, office)
    client.force_login(office.reception)
    too_far = choose(client, office, 9)

    assert refused.status_code == 400
    assert too_far.status_code == 400
    assert 'aria-invalid="true"' in too_far.content.decode()
    assert "queue_counter" not in client.session


def test_the_counter_page_asks_where_the_officer_works_first(client, office) -> None:
    client.force_login(office.reception)

    page = client.get(reverse("reception:queue:counter"))
    nothing_chosen = client.post(reverse("reception:queue:call-next"))

    assert page.status_code == 200
    assert '<label for="id_point">' in page.content.decode()
    assert nothing_chosen.status_code == 302
    assert QueueCounter.objects.count() == 0


ACTORS = ["anonymous", "applicant", "other_reception", "leader", "reception"]


def login(client, office, who: str) -> None:
    if who != "anonymous":
        client.force_login(getattr(office, who))


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("applicant", 403),
        ("other_reception", 200),  # their own point's counter: nothing of this point
        ("leader", 403),
        ("reception", 200),
    ],
)
def test_who_may_open_the_counter_page(client, office, lines, who, expected) -> None:
    login(client, office, who)

    response = client.get(reverse("reception:queue:counter"))

    assert response.status_code == expected
    if who == "anonymous":
        assert response["Location"].startswith(reverse("admin:login"))
    if who == "other_reception":
        assert office.point.name not in response.content.decode()


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("applicant", 404),
        ("other_reception", 404),
        ("leader", 404),
        ("reception", 302),
    ],
)
@pytest.mark.parametrize("action", ["recall", "skip", "finish"])
def test_who_may_act_on_a_number(client, office, lines, who, expected, action) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
    before, events = state(ticket), AuditEvent.objects.count()
    login(client, office, who)

    response = client.post(reverse("reception:queue:ticket-action", args=[ticket.pk, action]))

    assert response.status_code == expected
    if who == "reception":
        assert state(ticket) != before
        assert AuditEvent.objects.count() == events + 1
    else:
        assert state(ticket) == before
        assert AuditEvent.objects.count() == events


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("applicant", 403),
        ("other_reception", 302),
        ("leader", 403),
        ("reception", 302),
    ],
)
def test_who_may_call_the_next_number_here(client, office, lines, who, expected) -> None:
    ticket = take(office.point, lines[0], at(2, 8))
    login(client, office, who)
    if who in ("other_reception", "reception"):
        # A session naming this point counts only for an officer who works here.
        session = client.session
        session[views.SESSION_KEY] = {"point": office.point.pk, "counter": 1}
        session.save()

    with time_machine.travel(at(2, 8, 5), tick=False):
        response = client.post(reverse("reception:queue:call-next"))

    assert response.status_code == expected
    if who == "reception":
        assert state(ticket)[0] == QueueTicket.Status.CALLED
    else:
        assert state(ticket)[0] == QueueTicket.Status.WAITING
        assert AuditEvent.objects.count() == 0


def test_an_unknown_number_or_action_is_404(client, office, lines) -> None:
    client.force_login(office.reception)

    assert (
        client.post(reverse("reception:queue:ticket-action", args=[999, "skip"])).status_code == 404
    )
    ticket = take(office.point, lines[0], at(2, 8))
    assert (
        client.post(
            reverse("reception:queue:ticket-action", args=[ticket.pk, "delete"])
        ).status_code
        == 404
    )


def test_the_waiting_list_fragment_reloads_the_page_when_signed_out(client, office) -> None:
    response = client.get(
        reverse("reception:queue:counter-waiting"), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Refresh"] == "true"


def test_only_the_current_counter_number_is_one_per_counter(office, lines) -> None:
    """The database refuses two numbers called to the same counter the same day."""
    first, second = take(office.point, lines[0], at(2, 8)), take(office.point, lines[0], at(2, 8))
    with time_machine.travel(at(2, 8, 5), tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        QueueTicket.objects.filter(pk=second.pk).update(
            status=QueueTicket.Status.CALLED, counter=1, called_at=at(2, 8, 6)
        )
    assert state(first)[0] == QueueTicket.Status.CALLED


# Races, on PostgreSQL with concurrent connections ----------------------------------------


@pytest.fixture
def postgresql(require_services: bool) -> None:
    if connection.vendor != "postgresql":
        if require_services:
            pytest.fail("REQUIRE_SERVICES=1 but the database is not PostgreSQL")
        pytest.skip("row locks and concurrent connections need PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_forty_presses_at_once_get_forty_consecutive_numbers(postgresql, office, lines) -> None:
    civil, _ = lines
    with time_machine.travel(at(2, 8), tick=False):
        numbers = race(*[lambda: take(office.point, civil).display for _ in range(40)], workers=20)

    assert sorted(numbers) == [f"A{n:03d}" for n in range(1, 41)]


@pytest.mark.django_db(transaction=True)
def test_counters_calling_at_once_never_get_the_same_number(postgresql, office) -> None:
    office.point.counters = 6
    office.point.save()
    waiting = [take(office.point, when=at(2, 8, minute)) for minute in range(10)]

    with time_machine.travel(at(2, 8, 30), tick=False):
        called = race(
            *[
                lambda counter=counter: (
                    services.queue_call_next(
                        officer=office.reception, point=office.point, counter=counter
                    ).pk
                )
                for counter in range(1, 7)
            ]
        )

    assert sorted(called) == [ticket.pk for ticket in waiting[:6]]
    counters = QueueTicket.objects.filter(status=QueueTicket.Status.CALLED).values_list(
        "counter", flat=True
    )
    assert sorted(counters) == [1, 2, 3, 4, 5, 6]


@pytest.mark.django_db(transaction=True)
def test_two_presses_of_call_next_at_one_counter_call_one_after_the_other(
    postgresql, office
) -> None:
    first, second, third = (take(office.point, when=at(2, 8, minute)) for minute in range(3))

    with time_machine.travel(at(2, 8, 30), tick=False):
        called = race(
            *[
                lambda: (
                    services.queue_call_next(
                        officer=office.reception, point=office.point, counter=1
                    ).pk
                )
            ]
            * 2
        )

    assert sorted(called) == [first.pk, second.pk]
    assert [state(t)[0] for t in (first, second, third)] == [
        QueueTicket.Status.DONE,
        QueueTicket.Status.CALLED,
        QueueTicket.Status.WAITING,
    ]


def test_the_admin_lists_lines_and_numbers_read_only(client, office, lines) -> None:
    take(office.point, lines[0], at(2, 8))
    admin_user = _officer("quantri", Role.RECEPTION_OFFICER, reception_point=office.point)
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)

    line_list = client.get(reverse("admin:reception_queueline_changelist"))
    ticket_list = client.get(reverse("admin:reception_queueticket_changelist"))
    ticket_page = client.get(
        reverse("admin:reception_queueticket_change", args=[QueueTicket.objects.get().pk])
    )

    assert line_list.status_code == ticket_list.status_code == ticket_page.status_code == 200
    assert "Chứng thực" in line_list.content.decode()
    assert "A001" in ticket_list.content.decode()
    assert client.get(reverse("admin:reception_queueticket_add")).status_code == 403


@pytest.mark.parametrize("who", ACTORS)
def test_the_kiosk_and_the_board_are_public_and_show_no_personal_data(
    client, office, lines, who
) -> None:
    login(client, office, who)
    dossier = office.dossier(Status.RECEIVED)
    with time_machine.travel(at(2, 8), tick=False):
        ticket = take(office.point, lines[0])
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
        services.counter_note_dossier(officer=office.reception, dossier=dossier)
        pages = [
            client.get(reverse(name, args=[office.point.code]))
            for name in (
                "reception:queue:take",
                "reception:queue:board",
                "reception:queue:board-calls",
            )
        ]
        pages.append(
            client.get(reverse("reception:queue:ticket", args=[office.point.code, ticket.pk]))
        )

    assert [page.status_code for page in pages] == [200, 200, 200, 200]
    for page in pages:
        html = page.content.decode()
        assert dossier.applicant_name not in html
        assert dossier.code not in html


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("anonymous", 302),
        ("applicant", 403),
        ("other_reception", 404),
        ("leader", 403),
        ("reception", 200),
    ],
)
def test_who_may_read_the_waiting_list(client, office, lines, who, expected) -> None:
    login(client, office, who)
    session = client.session
    session[views.SESSION_KEY] = {"point": office.point.pk, "counter": 1}
    session.save()

    with time_machine.travel(at(2, 8), tick=False):
        take(office.point, lines[0])
        response = client.get(reverse("reception:queue:counter-waiting"))

    assert response.status_code == expected
    assert ("A001" in response.content.decode()) == (who == "reception")


# Queue figures over a period ----------------------------------------------------------------


def _serve(office, taken, called, finished) -> None:
    ticket = take(office.point, None, taken)
    with time_machine.travel(called, tick=False):
        services.queue_call_next(officer=office.reception, point=office.point, counter=1)
    with time_machine.travel(finished, tick=False):
        services.queue_finish(officer=office.reception, ticket_id=ticket.pk)


def test_the_queue_report_gives_waits_and_service_times_per_day(client, office) -> None:
    _serve(office, at(2, 8), at(2, 8, 10), at(2, 8, 20))  # waited 10 min, served 10 min
    _serve(office, at(2, 9), at(2, 9, 4), at(2, 9, 6))  # waited 4 min, served 2 min
    _serve(office, at(3, 8), at(3, 8, 1), at(3, 8, 31))
    client.force_login(office.reception)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    period = {"start": "2026-03-01", "end": "2026-03-31"}

    page = client.get(reverse("reception:queue:report"), period)
    csv = client.get(reverse("reception:queue:report"), {**period, "format": "csv"})

    html = page.content.decode()
    assert page.status_code == 200
    assert "02/03/2026" in html
    assert "7:00" in html  # the average wait on the 2nd
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("Day,Reception point,Numbers taken,Called,Served,Skipped")
    point = office.point.name
    assert lines[1:] == [
        f"2026-03-02,{point},2,2,2,0,7.0,10.0,6.0,10.0",
        f"2026-03-03,{point},1,1,1,0,1.0,1.0,30.0,30.0",
    ]


def test_the_queue_report_csv_keeps_a_hostile_point_name_as_text(client, office) -> None:
    office.point.name = '=HYPERLINK("http://evil.example/","Bấm")'
    office.point.save(update_fields=["name"])
    _serve(office, at(2, 8), at(2, 8, 10), at(2, 8, 20))
    client.force_login(office.reception)

    csv = client.get(
        reverse("reception:queue:report"),
        {"start": "2026-03-01", "end": "2026-03-31", "format": "csv"},
    )

    row = csv.content.decode("utf-8-sig").splitlines()[1]
    assert row.startswith('2026-03-02,"\'=HYPERLINK(""http://evil.example/"",""Bấm"")",1,')


@pytest.mark.parametrize("who", ["citizen", "processing", "other_reception"])
def test_the_queue_report_is_for_the_points_officers_and_managers(client, office, who) -> None:
    take(office.point)
    user = office.applicant if who == "citizen" else getattr(office, who)
    client.force_login(user)

    response = client.get(
        reverse("reception:queue:report"), {"start": "2026-01-01", "end": "2026-12-31"}
    )

    if who == "other_reception":
        assert response.status_code == 200
        assert office.point.name not in response.content.decode()
    else:
        assert response.status_code == 403


def test_a_report_period_over_a_year_or_backwards_is_a_field_error(client, office) -> None:
    client.force_login(office.reception)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    backwards = client.get(
        reverse("reception:queue:report"), {"start": "2026-03-31", "end": "2026-03-01"}
    )
    too_long = client.get(
        reverse("reception:queue:report"), {"start": "2024-01-01", "end": "2026-03-01"}
    )

    assert backwards.status_code == too_long.status_code == 400
    assert "The last day comes before the first." in backwards.content.decode()
    assert "Choose a period of at most a year." in too_long.content.decode()
