"""Demo dossiers with realistic distributions of channels, procedures, timeliness and
satisfaction, for demonstrations and benchmarks (manage.py generate_demo_dossiers)."""

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction

from dossiers import codes
from dossiers.models import Channel, Dossier, Evaluation, ResultDelivery, Status
from portal.bulk import insert_rows
from procedures import deadlines
from procedures.calendar import LOCAL_TIME, WorkingCalendar
from procedures.models import AdministrativeUnit, OnlineLevel, Procedure, ReceptionPoint
from procedures.selectors import procedure_terms, working_calendar

REFORM_DAY = date(2025, 7, 1)
PROVINCIAL_SHARE = 0.15
BATCH = 5000
RATINGS = [("very_satisfied", 70), ("satisfied", 22), ("neutral", 5), ("dissatisfied", 2),
           ("very_dissatisfied", 1)]  # fmt: skip
Row = dict[str, Any]


@dataclass(frozen=True)
class Desk:
    """Where a procedure is received and settled on a given side of the 2025 reform."""

    procedure: Procedure
    agency_id: int
    agency_code: str
    unit_id: int
    point: ReceptionPoint
    terms: dict
    fee: int


def _desks(before_reform: bool) -> list[Desk]:
    desks = []
    procedures = Procedure.objects.prefetch_related("agencies", "fees", "components", "steps")
    for procedure in procedures.select_related("sector"):
        if procedure.level == AdministrativeUnit.Level.DISTRICT and not before_reform:
            continue
        if procedure.level == AdministrativeUnit.Level.COMMUNE and before_reform:
            continue  # before the reform, the demo's communes had no one-stop centres
        terms = procedure_terms(procedure)
        fee = sum(item["amount"] for item in terms["fees"])
        for agency in procedure.agencies.all():
            point = ReceptionPoint.objects.filter(agencies=agency).select_related("unit").first()
            if point is None:
                continue
            desks.append(Desk(procedure, agency.pk, agency.code, agency.unit_id, point, terms, fee))
    return desks


def _moment(rng: random.Random, day: date) -> datetime:
    minutes = rng.choice([rng.randint(450, 690), rng.randint(810, 1020)])  # office hours
    return datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=LOCAL_TIME)


def _working_days(start: date, end: date, calendar: WorkingCalendar) -> list[date]:
    days, day = [], start
    while day <= end:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def dossiers(
    count: int, *, start: date, end: date, seed: int = 766
) -> Iterator[tuple[Row, Row | None]]:
    """Dossiers and their evaluations as {attname: value} rows (portal.bulk.insert_rows),
    the same for the same seed, dates and catalogue."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    national = working_calendar()
    days = _working_days(start, end, national)
    desks = {}
    for before in (False, True):
        every = _desks(before)
        provincial = [d for d in every if d.procedure.level == AdministrativeUnit.Level.PROVINCE]
        local = [d for d in every if d not in provincial]
        desks[before] = (provincial or local, local or provincial)
    now = datetime.now(tz=LOCAL_TIME)
    offset = Dossier.objects.count()
    for number in range(count):
        day = rng.choice(days)
        provincial, local = desks[day < REFORM_DAY]
        # About one dossier in seven is a provincial department's.
        desk = rng.choice(provincial if rng.random() < PROVINCIAL_SHARE else local)
        received = _moment(rng, day)
        calendar = working_calendar(reception_point=desk.point)
        limit, unit = float(desk.terms["time_limit"]), desk.terms["time_limit_unit"]
        due = deadlines.due_at(calendar, received, limit, unit)
        online_ok = desk.procedure.online_level != OnlineLevel.NONE
        roll = rng.random()
        channel = (
            Channel.ONLINE
            if online_ok and roll < 0.45
            else Channel.POSTAL
            if roll > 0.93 and desk.procedure.postal_intake
            else Channel.COUNTER
        )
        fields, rating = _outcome(rng, received, due, channel, now)
        dossier = {
            "id": uuid.uuid4(),
            "code": f"{desk.agency_code}-{day:%y%m%d}-{offset + number + 1:07d}",
            "reference": codes.new_reference(),
            "procedure_id": desk.procedure.pk,
            "procedure_version": desk.procedure.version,
            "terms": desk.terms,
            "agency_id": desk.agency_id,
            "unit_id": desk.unit_id,
            "reception_point_id": desk.point.pk,
            "channel": channel,
            "online_level": desk.procedure.online_level if channel == Channel.ONLINE else "",
            "legacy_level": desk.procedure.legacy_level if channel == Channel.ONLINE else None,
            "applicant_name": "Người nộp thử nghiệm",
            "submitted_at": received,
            "received_at": received,
            "due_at": due,
            "digitized": rng.random() < 0.86,
            "fee_amount": desk.fee,
            "paid_online": bool(desk.fee) and channel == Channel.ONLINE and rng.random() < 0.55,
            "supplement_count": rng.choices([0, 1, 2], weights=[88, 10, 2])[0],
            **fields,
        }
        evaluation = None
        if rating is not None:
            evaluation = {
                "dossier_id": dossier["id"],
                "rating": rating,
                "channel": "demo",
                "evaluated_at": fields["returned_at"] + timedelta(minutes=rng.randint(1, 600)),
            }
        yield dossier, evaluation


def _outcome(
    rng: random.Random, received: datetime, due: datetime, channel: str, now: datetime
) -> tuple[dict[str, Any], str | None]:
    """Early for most, on time for many, late for some; still open if recent."""
    fate = rng.random()
    if fate < 0.02:
        withdrawn = received + timedelta(days=rng.randint(1, 5))
        if withdrawn < now:
            return {"status": Status.WITHDRAWN, "withdrawn_at": withdrawn}, None
    share = rng.choices([0.5, 0.95, 1.3], weights=[58, 33, 9])[0] * rng.uniform(0.6, 1.0)
    ended = received + (due - received) * share
    if ended >= now:
        return {"status": Status.IN_PROCESS if rng.random() < 0.8 else Status.RECEIVED}, None
    if fate < 0.04:
        return {"status": Status.STOPPED, "processing_ended_at": ended}, None
    returned = ended + timedelta(hours=rng.randint(2, 72))
    if returned >= now:
        return {"status": Status.COMPLETED, "processing_ended_at": ended}, None
    delivery = (
        ResultDelivery.ONLINE
        if channel == Channel.ONLINE and rng.random() < 0.5
        else ResultDelivery.POSTAL
        if rng.random() < 0.12
        else ResultDelivery.COUNTER
    )
    fields = {
        "status": Status.RETURNED,
        "processing_ended_at": ended,
        "returned_at": returned,
        "result_delivery": delivery,
    }
    if rng.random() >= 0.35:
        return fields, None
    return fields, rng.choices([r for r, _ in RATINGS], weights=[w for _, w in RATINGS])[0]


def generate(count: int, *, start: date, end: date, seed: int = 766) -> int:
    """Insert `count` dossiers in batches; memory stays at one batch."""
    made = 0
    batch: list[Row] = []
    ratings: list[Row] = []
    for dossier, evaluation in dossiers(count, start=start, end=end, seed=seed):
        batch.append(dossier)
        if evaluation is not None:
            ratings.append(evaluation)
        if len(batch) >= BATCH:
            made += _write(batch, ratings)
            batch, ratings = [], []
    return made + _write(batch, ratings)


def _write(batch: list[Row], ratings: list[Row]) -> int:
    with transaction.atomic():
        insert_rows(Dossier, batch)
        insert_rows(Evaluation, ratings)
    return len(batch)
