"""Each rule of dossiers.timeliness gives the value written in the table, both ways: the
Python predicate on the dossier read back from PostgreSQL, and the QuerySet expression
evaluated by PostgreSQL on the same row. A case pins the rules it is about; the moments
are Asia/Ho_Chi_Minh, the calendar the real one (Tết 2026: 14–22 February off; National
Day 2026: 31 August–2 September off, Saturday 22 August worked in exchange)."""

from dataclasses import dataclass
from datetime import datetime

import pytest
from django.db.models import QuerySet

from dossiers import codes, timeliness
from dossiers.models import Channel, Dossier, Pause, Status, Timeliness
from dossiers.services.common import calendar_of
from dossiers.tests.conftest import Office
from procedures import deadlines
from procedures.calendar import LOCAL_TIME, WorkingCalendar
from procedures.models import InterconnectionGroup

EARLY, ON_TIME, LATE = Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE
UNPINNED = "unpinned"  # the case says nothing about that rule


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LOCAL_TIME)


def maybe(text: str | None) -> datetime | None:
    return t(text) if text else None


@dataclass(frozen=True)
class Clock:
    """A pause of the dossier: a supplement request and its answer."""

    requested: str
    resumed: str | None
    due_before: str | None
    due_after: str | None = None
    stage: str = Pause.Stage.PROCESSING


@dataclass(frozen=True)
class Case:
    id: str
    status: str
    received: str | None
    due: str | None
    # The moment the overdue and apology rules judge the dossier at.
    at: str = ""
    ended: str | None = None
    withdrawn: str | None = None
    returned: str | None = None
    rejected: str | None = None
    paused_at: str | None = None
    rescheduled: str | None = None
    supplements: int = 0
    pauses: tuple[Clock, ...] = ()
    # The due time is this limit counted from the reception on the calendar.
    limit: tuple[int, str] | None = None
    group: str = ""  # "parent" or "member" of an interconnected group
    # The expected values; None for a rule the case does not pin (UNPINNED for timeliness).
    overdue_at: bool | None = None
    overdue_now: bool | None = None
    timeliness: str | None = UNPINNED
    late_by_supplements: bool | None = None
    apology_late: bool | None = None
    group_parent: bool | None = None


DUE = "2026-03-10 17:00"  # Tuesday: 3 working days after Thursday 5 March
RUNNING = {"status": Status.IN_PROCESS, "received": "2026-03-05 09:00", "due": DUE}
ENDED = {"status": Status.COMPLETED, "received": "2026-03-05 09:00", "due": DUE}
TET = {"received": "2026-02-12 09:00", "due": "2026-02-24 17:00", "limit": (3, "working_days")}
NATIONAL_DAY = {
    "received": "2026-08-28 15:00",
    "due": "2026-09-07 17:00",
    "limit": (3, "working_days"),
}

CASES = [
    # Overdue at a moment: strictly past the due time (RULES.md §5).
    Case("running-minute-before-due", **RUNNING, at="2026-03-10 16:59",
         overdue_at=False, overdue_now=False, group_parent=False),
    Case("running-at-the-due-minute", **RUNNING, at=DUE, overdue_at=False, overdue_now=False),
    Case("running-minute-after-due", **RUNNING, at="2026-03-10 17:01",
         overdue_at=True, overdue_now=True),
    Case("received-without-due-time", Status.RECEIVED, "2026-03-05 09:00", None,
         at="2026-04-01 09:00", overdue_at=False, overdue_now=False, timeliness=None),
    # Across Tết: the nine days off do not count (naively, 3 days would end on 17 February).
    Case("tet-not-overdue-during-tet", Status.IN_PROCESS, **TET, at="2026-02-20 10:00",
         overdue_at=False, overdue_now=False),
    Case("tet-overdue-the-morning-after", Status.IN_PROCESS, **TET, at="2026-02-25 07:30",
         overdue_at=True, overdue_now=True),
    Case("national-day-not-overdue-on-4-sept", Status.IN_PROCESS, **NATIONAL_DAY,
         at="2026-09-04 17:00", overdue_at=False, overdue_now=False),
    # The make-up Saturday is worked: one working day after Friday 21 August is the 22nd.
    Case("make-up-saturday-counts", Status.IN_PROCESS, "2026-08-21 09:00", "2026-08-22 17:00",
         limit=(1, "working_days"), at="2026-08-24 08:00", overdue_at=True, overdue_now=True),
    # An open pause: the value it had when paused (RULES.md §5).
    Case("open-pause-before-due", Status.SUPPLEMENT_REQUESTED, "2026-03-05 09:00", DUE,
         paused_at="2026-03-09 10:00", pauses=(Clock("2026-03-09 10:00", None, DUE),),
         supplements=1, at="2026-03-20 09:00", overdue_at=False, overdue_now=False),
    Case("open-pause-after-due", Status.SUPPLEMENT_REQUESTED, "2026-03-05 09:00", DUE,
         paused_at="2026-03-11 09:00", pauses=(Clock("2026-03-11 09:00", None, DUE),),
         supplements=1, at="2026-03-20 09:00", overdue_at=True, overdue_now=True),
    Case("open-pause-at-the-due-minute", Status.FINANCIAL_OBLIGATION, "2026-03-05 09:00", DUE,
         paused_at=DUE, pauses=(Clock(DUE, None, DUE),), at="2026-03-20 09:00",
         overdue_at=False, overdue_now=False),
    # Closed pauses: the due time in force at the moment (RULES.md §4 "Supplement pause").
    Case("closed-pause-within-moved-due", Status.IN_PROCESS, "2026-03-05 09:00",
         "2026-03-12 17:00",
         pauses=(Clock("2026-03-09 10:00", "2026-03-11 10:00", DUE, "2026-03-12 17:00"),),
         supplements=1, at="2026-03-12 09:00", overdue_at=False, overdue_now=False),
    Case("closed-pause-overdue-before-it", Status.IN_PROCESS, "2026-03-05 09:00",
         "2026-03-12 17:00",
         pauses=(Clock("2026-03-11 13:30", "2026-03-12 13:30", DUE, "2026-03-12 17:00"),),
         supplements=1, at="2026-03-11 12:00", overdue_at=True),
    Case("closed-pause-judged-during-it-paused-in-time", Status.IN_PROCESS, "2026-03-05 09:00",
         "2026-03-17 17:00",
         pauses=(Clock("2026-03-09 10:00", "2026-03-16 10:00", DUE, "2026-03-17 17:00"),),
         supplements=1, at="2026-03-12 09:00", overdue_at=False),
    Case("closed-pause-judged-during-it-paused-late", Status.IN_PROCESS, "2026-03-05 09:00",
         "2026-03-12 17:00",
         pauses=(Clock("2026-03-11 09:00", "2026-03-13 09:00", DUE, "2026-03-12 17:00"),),
         supplements=1, at="2026-03-12 12:00", overdue_at=True),
    Case("two-closed-pauses-between-them-past-due-then", Status.IN_PROCESS, "2026-03-05 09:00",
         "2026-03-12 17:00",
         pauses=(Clock("2026-03-06 09:00", "2026-03-09 09:00", DUE, "2026-03-11 17:00"),
                 Clock("2026-03-12 09:00", "2026-03-13 09:00", "2026-03-11 17:00",
                       "2026-03-12 17:00")),
         supplements=2, at="2026-03-11 17:30", overdue_at=True, late_by_supplements=True),
    Case("two-closed-pauses-between-them-before-due-then", Status.IN_PROCESS,
         "2026-03-05 09:00", "2026-03-12 17:00",
         pauses=(Clock("2026-03-06 09:00", "2026-03-09 09:00", DUE, "2026-03-11 17:00"),
                 Clock("2026-03-12 09:00", "2026-03-13 09:00", "2026-03-11 17:00",
                       "2026-03-12 17:00")),
         supplements=2, at="2026-03-11 16:00", overdue_at=False),
    # A supplement asked at intake came before the clock started: it stops nothing.
    Case("intake-pause-stops-no-clock", **RUNNING,
         pauses=(Clock("2026-03-04 09:00", "2026-03-05 08:00", None,
                       stage=Pause.Stage.INTAKE),),
         at="2026-03-11 09:00", overdue_at=True, overdue_now=True),
    Case("rejected-at-intake", Status.REJECTED, None, None, rejected="2026-03-05 10:00",
         at="2026-03-20 09:00", overdue_at=False, overdue_now=False, timeliness=None),
    # Early / on time / late once processing ended, by local dates (RULES.md §5).
    Case("ended-day-before-due-date", **ENDED, ended="2026-03-09 16:00", timeliness=EARLY,
         late_by_supplements=False),
    Case("ended-23-59-before-due-date", **ENDED, ended="2026-03-09 23:59", timeliness=EARLY),
    Case("ended-at-midnight-of-due-date", **ENDED, ended="2026-03-10 00:00",
         timeliness=ON_TIME),
    Case("ended-on-due-date-morning", **ENDED, ended="2026-03-10 08:00", timeliness=ON_TIME),
    Case("ended-at-the-due-minute", **ENDED, ended=DUE, timeliness=ON_TIME),
    Case("ended-minute-after-due", **ENDED, ended="2026-03-10 17:01", timeliness=LATE),
    # Decision 766: a second supplement request makes it late, whenever it ended.
    Case("one-supplement-request-early", **ENDED, ended="2026-03-09 16:00", supplements=1,
         timeliness=EARLY, late_by_supplements=False),
    Case("two-supplement-requests-early-is-late", **ENDED, ended="2026-03-09 16:00",
         supplements=2, timeliness=LATE, late_by_supplements=True),
    Case("two-supplement-requests-at-the-due-minute", **ENDED, ended=DUE, supplements=2,
         timeliness=LATE, late_by_supplements=True),
    Case("three-supplement-requests", **ENDED, ended="2026-03-06 10:00", supplements=3,
         timeliness=LATE, late_by_supplements=True),
    Case("stopped-before-due-date", Status.STOPPED, "2026-03-05 09:00", DUE,
         ended="2026-03-09 10:00", timeliness=EARLY),
    Case("returned-ended-on-due-date", Status.RETURNED, "2026-03-05 09:00", DUE,
         ended="2026-03-10 11:00", returned="2026-03-11 09:00", timeliness=ON_TIME),
    Case("withdrawn-has-no-timeliness", Status.WITHDRAWN, "2026-03-05 09:00", DUE,
         withdrawn="2026-03-09 10:00", timeliness=None),
    Case("running-has-no-timeliness-yet", **RUNNING, timeliness=None),
    Case("tet-early-eleven-days-after-reception", Status.COMPLETED, **TET,
         ended="2026-02-23 10:00", timeliness=EARLY),
    Case("tet-on-the-due-day", Status.COMPLETED, **TET, ended="2026-02-24 16:30",
         timeliness=ON_TIME),
    Case("national-day-late-the-morning-after", Status.COMPLETED, **NATIONAL_DAY,
         ended="2026-09-08 07:45", timeliness=LATE),
    # The KPIs keep the legal due time: an apology's new date does not make it on time.
    Case("apology-new-date-does-not-count", **ENDED, ended="2026-03-12 10:00",
         rescheduled="2026-03-13 17:00", timeliness=LATE),
    Case("ended-without-due-time", Status.COMPLETED, "2026-03-05 09:00", None,
         ended="2026-03-09 10:00", timeliness=None),
    Case("ended-on-time-by-the-moved-due", Status.COMPLETED, "2026-03-05 09:00",
         "2026-03-12 17:00",
         pauses=(Clock("2026-03-09 10:00", "2026-03-11 10:00", DUE, "2026-03-12 17:00"),),
         supplements=1, ended="2026-03-12 15:00", timeliness=ON_TIME,
         late_by_supplements=False),
    # Form 04 at least one working day (7.5 office hours) before the due time (RULES.md §4).
    Case("apology-a-working-day-ahead", **RUNNING, at="2026-03-09 17:00", apology_late=False),
    Case("apology-at-opening-of-due-day", **RUNNING, at="2026-03-10 07:30",
         apology_late=False),
    Case("apology-minute-into-due-day", **RUNNING, at="2026-03-10 07:31", apology_late=True),
    Case("apology-after-due-time", **RUNNING, at="2026-03-11 09:00", apology_late=True),
    Case("apology-during-tet-for-monday-after", Status.IN_PROCESS, "2026-02-12 09:00",
         "2026-02-23 17:00", limit=(2, "working_days"), at="2026-02-18 10:00",
         apology_late=False),
    Case("apology-on-monday-after-tet", Status.IN_PROCESS, "2026-02-12 09:00",
         "2026-02-23 17:00", limit=(2, "working_days"), at="2026-02-23 08:00",
         apology_late=True),
    # An interconnected group's parent is counted through its members (RULES.md §6).
    Case("group-parent", **RUNNING, group="parent", group_parent=True),
    Case("group-member", **RUNNING, group="member", group_parent=False),
]  # fmt: skip


def build(office: Office, case: Case) -> Dossier:
    values: dict[str, object] = {
        "status": case.status,
        "procedure": office.procedure,
        "agency": office.agency,
        "unit": office.unit,
        "reception_point": office.point,
        "channel": Channel.COUNTER,
        "received_at": maybe(case.received),
        "due_at": maybe(case.due),
        "processing_ended_at": maybe(case.ended),
        "withdrawn_at": maybe(case.withdrawn),
        "returned_at": maybe(case.returned),
        "rejected_at": maybe(case.rejected),
        "paused_at": maybe(case.paused_at),
        "rescheduled_due_at": maybe(case.rescheduled),
        "supplement_count": case.supplements,
        "pause_count": sum(pause.stage == Pause.Stage.PROCESSING for pause in case.pauses),
    }
    if case.group:
        group = InterconnectionGroup.objects.create(
            code="LTKS", name="Liên thông khai sinh", time_limit=3, time_limit_unit="working_days"
        )
        values["interconnection_group"] = group
    if case.group == "member":
        values["parent"] = Dossier.objects.create(reference=codes.new_reference(), **values)
    dossier = Dossier.objects.create(reference=codes.new_reference(), **values)
    for pause in case.pauses:
        Pause.objects.create(
            dossier=dossier,
            kind=Pause.Kind.SUPPLEMENT,
            stage=pause.stage,
            items=["Giấy tờ"],
            reason="Thiếu giấy tờ",
            requested_by=office.processing,
            requested_at=t(pause.requested),
            resumed_at=maybe(pause.resumed),
            due_before=maybe(pause.due_before),
            due_after=maybe(pause.due_after),
        )
    return dossier


def evaluated(case: Case, dossier: Dossier, rows: QuerySet[Dossier]) -> dict[str, object]:
    """rule → (Python predicate, SQL expression) for the rules the case pins."""
    at = maybe(case.at)
    found: dict[str, object] = {}
    if case.overdue_at is not None:
        assert at is not None
        pauses = list(timeliness.clock_pauses().filter(dossier=dossier).order_by("requested_at"))
        found["overdue_at"] = (
            timeliness.is_overdue_at(dossier, pauses, at),
            timeliness.overdue_at(rows, at).exists(),
        )
        if dossier.pause_count == 0:
            found["overdue_unpaused"] = (
                timeliness.is_overdue_at(dossier, [], at),
                rows.filter(timeliness.overdue_unpaused(at)).exists(),
            )
    if case.overdue_now is not None:
        assert at is not None
        found["overdue_now"] = (
            timeliness.is_overdue_now(dossier, at),
            rows.filter(timeliness.overdue_now(at)).exists(),
        )
    if case.timeliness != UNPINNED:
        days = timeliness.with_days(rows)
        splits = {
            EARLY: timeliness.RESOLVED_EARLY,
            ON_TIME: timeliness.RESOLVED_ON_TIME,
            LATE: timeliness.RESOLVED_LATE,
        }
        value = timeliness.resolved_timeliness(dossier)
        found["timeliness"] = (
            value,
            days.annotate(value=timeliness.resolved_timeliness_case())
            .values_list("value", flat=True)
            .get(),
        )
        # The KPI's splits (RULES.md §6): the one the predicate names, or none.
        found["splits"] = (
            [value] if value is not None else [],
            [name for name, split in splits.items() if days.filter(split).exists()],
        )
    if case.late_by_supplements is not None:
        found["late_by_supplements"] = (
            timeliness.is_late_by_supplements(dossier.supplement_count),
            rows.filter(timeliness.LATE_BY_SUPPLEMENTS).exists(),
        )
    if case.apology_late is not None:
        assert at is not None
        assert dossier.due_at is not None
        calendar = calendar_of(dossier)
        found["apology_late"] = (
            timeliness.is_apology_late(calendar, at, dossier.due_at),
            rows.filter(timeliness.apology_late(calendar, at)).exists(),
        )
    if case.group_parent is not None:
        found["group_parent"] = (
            timeliness.is_group_parent(dossier),
            rows.filter(timeliness.GROUP_PARENT).exists(),
        )
        found["counted"] = (
            not timeliness.is_group_parent(dossier),
            timeliness.without_group_parents(rows).exists(),
        )
    return found


def expected(case: Case) -> dict[str, object]:
    wanted: dict[str, object] = {}
    if case.overdue_at is not None:
        wanted["overdue_at"] = (case.overdue_at, case.overdue_at)
        if not any(pause.stage == Pause.Stage.PROCESSING for pause in case.pauses):
            wanted["overdue_unpaused"] = (case.overdue_at, case.overdue_at)
    if case.overdue_now is not None:
        wanted["overdue_now"] = (case.overdue_now, case.overdue_now)
    if case.timeliness != UNPINNED:
        wanted["timeliness"] = (case.timeliness, case.timeliness)
        splits = [case.timeliness] if case.timeliness is not None else []
        wanted["splits"] = (splits, splits)
    if case.late_by_supplements is not None:
        wanted["late_by_supplements"] = (case.late_by_supplements, case.late_by_supplements)
    if case.apology_late is not None:
        wanted["apology_late"] = (case.apology_late, case.apology_late)
    if case.group_parent is not None:
        wanted["group_parent"] = (case.group_parent, case.group_parent)
        wanted["counted"] = (not case.group_parent, not case.group_parent)
    return wanted


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_the_predicate_and_the_expression_give_the_value_of_the_table(
    office: Office, case: Case
) -> None:
    built = build(office, case)
    rows = Dossier.objects.filter(pk=built.pk)
    dossier = rows.select_related("reception_point", "unit").get()
    if case.limit is not None:
        # The case really crosses the days off it is about.
        limit, unit = case.limit
        assert deadlines.due_at(calendar_of(dossier), dossier.received_at, limit, unit) == t(
            case.due or ""
        )

    found = evaluated(case, dossier, rows)

    assert found == expected(case)
    assert found  # every case pins at least one rule


def test_the_table_covers_every_rule() -> None:
    assert len(CASES) >= 30
    assert len({case.id for case in CASES}) == len(CASES)
    for rule in ("overdue_at", "overdue_now", "late_by_supplements", "apology_late"):
        assert {getattr(case, rule) for case in CASES} >= {True, False}, rule
    assert {case.timeliness for case in CASES} >= {EARLY, ON_TIME, LATE, None}


# Python only: "due soon" is working time on the dossier's calendar.
CALENDAR = WorkingCalendar()


@pytest.mark.parametrize(
    ("ended", "supplements", "expected_value"),
    [
        ("2026-03-09 16:00", 0, Timeliness.EARLY),
        ("2026-03-10 08:00", 0, Timeliness.ON_TIME),
        ("2026-03-10 17:00", 0, Timeliness.ON_TIME),
        ("2026-03-10 17:01", 0, Timeliness.LATE),
        ("2026-03-09 16:00", 1, Timeliness.EARLY),
        ("2026-03-09 16:00", 2, Timeliness.LATE),  # Decision 766: two requests = late
    ],
)
def test_timeliness_of_ended_processing(ended: str, supplements: int, expected_value: str) -> None:
    assert timeliness.timeliness_when_ended(t(ended), t(DUE), supplements) == expected_value


@pytest.mark.parametrize(
    ("now", "expected_value"),
    [
        ("2026-03-06 16:00", Timeliness.WITHIN_DEADLINE),
        ("2026-03-09 16:59", Timeliness.WITHIN_DEADLINE),
        ("2026-03-09 17:00", Timeliness.DUE_SOON),  # one working day left
        ("2026-03-10 17:00", Timeliness.DUE_SOON),
        ("2026-03-10 17:01", Timeliness.OVERDUE),
    ],
)
def test_timeliness_in_progress(now: str, expected_value: str) -> None:
    assert timeliness.timeliness_in_progress(CALENDAR, t(now), t(DUE)) == expected_value
