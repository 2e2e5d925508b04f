"""The legal clock through pauses, an apology and hand-overs (RULES.md §4–5, form 05)."""

from datetime import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError

from dossiers import services
from dossiers.errors import InvalidTransitionError
from dossiers.models import Apology, Dossier, HandOver, Pause
from dossiers.selectors import dossier_timeliness
from dossiers.services import Applicant
from procedures.calendar import LOCAL_TIME

from .conftest import Office


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A time in March 2026 (Monday 2 March is a working day), Vietnamese time."""
    return datetime(2026, 3, day, hour, minute, tzinfo=LOCAL_TIME)


def received_on_monday(office: Office) -> Dossier:
    with time_machine.travel(at(2, 9), tick=False):
        dossier = services.dossier_receive_at_counter(
            officer=office.reception,
            procedure=office.procedure,
            agency=office.agency,
            reception_point=office.point,
            applicant=Applicant(
                name="Nguyễn Thị Lan", email="lan@example.org", account=office.applicant
            ),
        ).dossier
    with time_machine.travel(at(2, 10), tick=False):
        services.dossier_transfer(dossier_id=dossier.pk, officer=office.reception)
    return dossier


def ask_and_answer(office: Office, dossier: Dossier, asked: datetime, answered: datetime):
    with time_machine.travel(asked, tick=False):
        services.dossier_request_supplement(
            dossier_id=dossier.pk,
            officer=office.processing,
            items=["Bản sao Giấy khai sinh"],
            reason="Thiếu giấy tờ chứng minh nhân thân",
        )
    with time_machine.travel(answered, tick=False):
        services.dossier_supplement(dossier_id=dossier.pk, actor=office.applicant)


def complete(office: Office, dossier: Dossier, when: datetime) -> Dossier:
    with time_machine.travel(when, tick=False):
        services.dossier_complete(dossier_id=dossier.pk, officer=office.leader)
    return Dossier.objects.get(pk=dossier.pk)


def test_a_supplement_pause_moves_the_due_date_by_the_days_waited(office: Office) -> None:
    dossier = received_on_monday(office)
    assert Dossier.objects.get(pk=dossier.pk).due_at == at(5, 17)

    # Asked Tuesday 10:00, answered Wednesday 10:00: one working day waited.
    ask_and_answer(office, dossier, at(3, 10), at(4, 10))

    dossier.refresh_from_db()
    assert dossier.due_at == at(6, 17)
    assert (dossier.status, dossier.supplement_count, dossier.paused_at) == (
        "in_process",
        1,
        None,
    )
    pause = Pause.objects.get()
    assert (pause.stage, pause.items, pause.requested_by, pause.resumed_by) == (
        "processing",
        ["Bản sao Giấy khai sinh"],
        office.processing,
        office.applicant,
    )
    assert (pause.due_before, pause.due_after) == (at(5, 17), at(6, 17))
    # Ended on the (moved) due date: on time; the day before: early.
    assert dossier_timeliness(complete(office, dossier, at(6, 16))) == "on_time"


def test_a_paused_dossier_keeps_the_timeliness_it_had_when_paused(office: Office) -> None:
    dossier = received_on_monday(office)
    with time_machine.travel(at(3, 10), tick=False):
        services.dossier_request_supplement(
            dossier_id=dossier.pk, officer=office.processing, items=["Tờ khai"], reason="Thiếu"
        )
    dossier.refresh_from_db()

    # Weeks later, still waiting for the applicant: not overdue.
    assert dossier_timeliness(dossier, now=at(30, 9)) == "within_deadline"


def test_two_supplement_requests_make_the_dossier_late(office: Office) -> None:
    dossier = received_on_monday(office)
    ask_and_answer(office, dossier, at(3, 10), at(3, 11))
    ask_and_answer(office, dossier, at(3, 14), at(3, 15))

    finished = complete(office, dossier, at(4, 9))

    assert finished.supplement_count == 2
    assert finished.processing_ended_at < finished.due_at
    assert dossier_timeliness(finished) == "late"


def test_an_apology_promises_a_new_date_but_the_kpi_keeps_the_legal_one(office: Office):
    dossier = received_on_monday(office)
    with time_machine.travel(at(3, 9), tick=False):
        apology = services.dossier_apologise(
            dossier_id=dossier.pk,
            officer=office.processing,
            reason="Cần xác minh với cơ quan công an",
            new_due_at=at(10, 17),
        )

    assert (apology.new_due_at, apology.issued_late) == (at(10, 17), False)
    finished = complete(office, dossier, at(9, 10))
    assert finished.rescheduled_due_at == at(10, 17)
    assert finished.due_at == at(5, 17)
    assert dossier_timeliness(finished) == "late"


def test_only_one_apology_and_a_late_one_is_noted(office: Office) -> None:
    dossier = received_on_monday(office)
    with time_machine.travel(at(5, 14), tick=False):  # three hours before the due time
        apology = services.dossier_apologise(
            dossier_id=dossier.pk,
            officer=office.processing,
            reason="Chờ kết quả xác minh",
            new_due_at=at(9, 17),
        )
        assert apology.issued_late is True
        with pytest.raises(InvalidTransitionError) as refused:
            services.dossier_apologise(
                dossier_id=dossier.pk,
                officer=office.processing,
                reason="Lần hai",
                new_due_at=at(12, 17),
            )
    assert (refused.value.action, refused.value.status) == ("apologise", "in_process")
    assert Apology.objects.count() == 1


def test_an_apology_must_promise_a_later_date(office: Office) -> None:
    dossier = received_on_monday(office)

    with pytest.raises(ValidationError):
        services.dossier_apologise(
            dossier_id=dossier.pk, officer=office.processing, reason="x", new_due_at=at(4, 17)
        )

    assert Apology.objects.count() == 0


def test_a_financial_obligation_pauses_the_clock(office: Office) -> None:
    dossier = received_on_monday(office)
    with time_machine.travel(at(3, 9), tick=False):
        services.dossier_request_financial_obligation(
            dossier_id=dossier.pk,
            officer=office.processing,
            reason="Lệ phí trước bạ",
            amount=1_500_000,
        )
    with time_machine.travel(at(6, 9), tick=False):
        services.dossier_fulfil_financial_obligation(dossier_id=dossier.pk, actor=office.applicant)

    dossier.refresh_from_db()
    # Tuesday 9:00 → Friday 9:00 = three working days waited.
    assert dossier.due_at == at(10, 17)
    assert dossier.supplement_count == 0


def test_hand_overs_are_the_rows_of_form_05(office: Office) -> None:
    dossier = received_on_monday(office)  # row 1: centre → committee, "Thẩm định", 12 h
    with time_machine.travel(at(3, 9), tick=False):  # inside the 12 h budget
        services.dossier_hand_over(
            dossier_id=dossier.pk, officer=office.processing, to_label="Lãnh đạo UBND phường"
        )
    complete(office, dossier, at(4, 16))  # "Phê duyệt": 6 h budget, 13.5 h spent: late
    with time_machine.travel(at(5, 8), tick=False):
        services.dossier_return_result(
            dossier_id=dossier.pk, officer=office.reception, delivery="counter"
        )

    rows = list(
        HandOver.objects.values_list(
            "sequence",
            "step_name",
            "from_label",
            "to_label",
            "budget_hours",
            "sent_by__username",
            "received_by__username",
            "sent_at",
            "step_due_at",
            "finished_at",
            "timeliness",
        )
    )
    centre, committee = str(office.point), str(office.agency)
    assert rows == [
        (1, "Thẩm định", centre, committee, Decimal(12), "tiepnhan", "thuly", at(2, 10),
         at(3, 16, 30), at(3, 9), "on_time"),
        (2, "Phê duyệt", committee, "Lãnh đạo UBND phường", Decimal(6), "thuly", "lanhdao",
         at(3, 9), at(3, 17), at(4, 16), "late"),
        (3, "Trả kết quả", committee, centre, Decimal(4), "lanhdao", "tiepnhan", at(4, 16),
         at(5, 10, 30), at(5, 8), "on_time"),
    ]  # fmt: skip
    finished = Dossier.objects.get(pk=dossier.pk)
    assert (finished.status, finished.returned_at, finished.result_delivery) == (
        "returned",
        at(5, 8),
        "counter",
    )
    assert dossier_timeliness(finished) == "early"
