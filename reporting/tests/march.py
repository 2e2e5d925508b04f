"""The March 2026 fixture: every case of RULES.md §6 with its counts worked out by hand."""

from datetime import date, datetime

import pytest

from dossiers import codes
from dossiers.models import Dossier, Evaluation
from dossiers.tests.conftest import Office
from procedures.calendar import LOCAL_TIME
from reporting.indicators import Period

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def t(month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=LOCAL_TIME)


def dossier(office: Office, status: str, received: datetime, due: datetime | None, **fields):
    values = {
        "reference": codes.new_reference(),
        "status": status,
        "procedure": office.procedure,
        "agency": office.agency,
        "unit": office.unit,
        "reception_point": office.point,
        "channel": "counter",
        "received_at": received,
        "due_at": due,
    }
    return Dossier.objects.create(**(values | fields))


@pytest.fixture
def march(office: Office) -> dict[str, Dossier]:
    o = office
    made = {
        # carried over from February, resolved early in March
        "A": dossier(o, "completed", t(2, 20), t(3, 5, 17), processing_ended_at=t(3, 3),
                     digitized=True),
        # received and resolved in February: not in March at all
        "B": dossier(o, "completed", t(2, 25), t(3, 2, 17), processing_ended_at=t(2, 27)),
        # online, full, level 4; on the due day before the due time: on time; paid online
        "C": dossier(o, "returned", t(3, 2), t(3, 5, 17), processing_ended_at=t(3, 5, 16),
                     returned_at=t(3, 6), result_delivery="online", channel="online",
                     online_level="full", legacy_level=4, digitized=True, fee_amount=50000,
                     paid_online=True),
        # postal, ended the day after the due date: late; returned by post
        "D": dossier(o, "returned", t(3, 2), t(3, 5, 17), processing_ended_at=t(3, 6),
                     returned_at=t(3, 10), result_delivery="postal", channel="postal",
                     fee_amount=20000),
        # two supplement requests: late although ended long before the due date
        "E": dossier(o, "completed", t(3, 3), t(3, 20, 17), processing_ended_at=t(3, 4),
                     supplement_count=2, channel="online", online_level="partial",
                     legacy_level=3),
        # stopped after appraisal, before the due date: resolved early
        "F": dossier(o, "stopped", t(3, 10), t(3, 13, 17), processing_ended_at=t(3, 12)),
        "G": dossier(o, "withdrawn", t(3, 16), t(3, 19, 17), withdrawn_at=t(3, 18)),
        # still open at the period end: H overdue, I within its deadline
        "H": dossier(o, "in_process", t(3, 20), t(3, 25, 17)),
        "I": dossier(o, "received", t(3, 30), t(4, 3, 17), channel="online",
                     online_level="full", legacy_level=4),
        # carried over and still open: overdue since January
        "J": dossier(o, "supplement_requested", t(1, 10), t(1, 20, 17)),
        # withdrawn in February: not carried over
        "K": dossier(o, "withdrawn", t(2, 10), t(2, 13, 17), withdrawn_at=t(2, 15)),
        # received in the last minute of February, ended in April
        "M": dossier(o, "completed", t(2, 28, 23, 59), t(4, 3, 17), processing_ended_at=t(4, 2)),
        # the first instant of April is not March
        "L": dossier(o, "received", t(4, 1, 0, 0), t(4, 6, 17)),
        # another commune's dossier, and a dossier refused at reception
        "X": dossier(o, "received", t(3, 5), t(3, 10, 17), agency=o.other_agency,
                     unit=o.other_agency.unit, reception_point=o.other_point),
        "R": dossier(o, "rejected", None, None, rejected_at=t(3, 5)),
    }  # fmt: skip
    Evaluation.objects.create(dossier=made["C"], rating="very_satisfied", evaluated_at=t(3, 6))
    Evaluation.objects.create(dossier=made["D"], rating="dissatisfied", evaluated_at=t(3, 10))
    Evaluation.objects.create(dossier=made["A"], rating="satisfied", evaluated_at=t(2, 28))
    Evaluation.objects.create(dossier=made["X"], rating="satisfied", evaluated_at=t(3, 6))
    return made


EXPECTED_COUNTS = {
    "received": 7,  # C D E F G H I
    "received_counter": 3,  # F G H
    "received_online": 3,  # C E I
    "received_postal": 1,  # D
    "received_online_full": 2,  # C I
    "received_online_partial": 1,  # E
    "received_level3": 1,  # E
    "received_level4": 2,  # C I
    "carried_over": 3,  # A J M
    "to_process": 10,
    "resolved": 5,  # A C D E F
    "resolved_early": 2,  # A F
    "resolved_on_time": 1,  # C
    "resolved_late": 2,  # D E
    "resolved_counter": 2,  # A F
    "resolved_postal": 1,  # D
    "resolved_online_full": 1,  # C
    "resolved_online_partial": 1,  # E
    "withdrawn": 1,  # G
    "in_progress": 4,  # H I J M
    "in_progress_within_deadline": 2,  # I M
    "in_progress_overdue": 2,  # H J
    "returned": 2,  # C D
    "returned_counter": 0,
    "returned_postal": 1,  # D
    "returned_online": 1,  # C
    "evaluations": 2,  # C D (A's was in February, X is elsewhere)
    "very_satisfied": 1,
    "satisfied": 0,
    "neutral": 0,
    "dissatisfied": 1,
    "very_dissatisfied": 0,
    "digitized": 1,  # C (A was received in February)
    "fee_bearing": 2,  # C D
    "paid_online": 1,  # C
}
EXPECTED_RATES = {
    "online_rate": 42.86,  # 3/7
    "resolution_rate": 50.0,  # 5/10
    "on_time_rate": 60.0,  # 3/5
    "early_rate": 40.0,
    "on_time_only_rate": 20.0,
    "late_rate": 40.0,
    "in_progress_rate": 40.0,  # 4/10
    "satisfaction_rate": 50.0,  # 1/2
    "very_satisfied_rate": 50.0,
    "digitization_rate": 14.29,  # 1/7
    "online_payment_rate": 50.0,  # 1/2
    "postal_return_rate": 50.0,  # 1/2
}
