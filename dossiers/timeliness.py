"""Timeliness (trước hạn / đúng hạn / quá hạn): each rule that says whether a dossier keeps
to its legal time, written once, as a Python predicate (on a Dossier or on plain values)
and, beside it and from the same parts, as a QuerySet expression (Q, Case or annotated
QuerySet). Every caller uses this module; dossiers/tests/test_timeliness.py holds each
pair to one table of cases.

The rules, and where RULES.md sets them:
- Overdue at a moment (quá hạn), RULES.md §5 "In progress at instant t": past the due time
  in force then. A dossier whose clock is paused keeps the value it had when paused, and a
  pause moves the due time only once the clock runs again (§4 "Supplement pause").
  `is_overdue` / `overdue` compare; by the dossier's own columns, for now:
  `is_overdue_now` / `overdue_now`; by its pause history, for any moment: `is_overdue_at`
  / `overdue_at`, and `overdue_unpaused` for the dossiers never paused. Whether the
  dossier is still open at that moment is each caller's own question.
- Within deadline / due soon / overdue while in progress, RULES.md §5:
  `timeliness_in_progress` (Python only: "due soon" is working time on the dossier's
  calendar).
- Early / on time / late once processing ended, RULES.md §5: `timeliness_when_ended`,
  `resolved_timeliness` / `RESOLVED_EARLY`, `RESOLVED_ON_TIME`, `RESOLVED_LATE`,
  `resolved_timeliness_case` (on a QuerySet `with_days`).
- A second supplement request makes it late, RULES.md §5 (Decision 766):
  `is_late_by_supplements` / `LATE_BY_SUPPLEMENTS`.
- An apology is due at least one working day before the due time, RULES.md §4 "Apology
  (Form 04)" and §11 "Apology" (warn, don't block): `is_apology_late` / `apology_late`.
- An interconnected group's parent is counted through its members, RULES.md §6 (counts)
  with DOMAIN.md §13 (the parent's state is derived from its members'):
  `is_group_parent` / `GROUP_PARENT`, `without_group_parents`."""

from collections.abc import Sequence
from datetime import datetime

from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate

from dossiers.models import Dossier, Pause, Timeliness
from procedures.calendar import LOCAL_TIME, WorkingCalendar

# Overdue at a moment (RULES.md §5, pauses §4) -------------------------------------------


def is_overdue(due: datetime | None, clock: datetime) -> bool:
    """Past the due time when judged at `clock`; without a due time, never."""
    return due is not None and due < clock


def overdue(due: str, clock: datetime | F) -> Q:
    """`is_overdue` in SQL: the field `due` before `clock` (a null is never before)."""
    return Q(**{f"{due}__lt": clock})


def clock_now(dossier: Dossier, now: datetime) -> datetime:
    """The moment a dossier is judged at now: the one its clock stopped at, if paused."""
    return dossier.paused_at or now


def is_overdue_now(dossier: Dossier, now: datetime) -> bool:
    """Overdue now by the dossier's own columns (the SQL is `overdue_now`)."""
    return is_overdue(dossier.due_at, clock_now(dossier, now))


def overdue_now(now: datetime) -> Q:
    """`is_overdue_now` in SQL."""
    return (overdue("due_at", now) & Q(paused_at__isnull=True)) | (
        overdue("due_at", F("paused_at")) & Q(paused_at__isnull=False)
    )


def clock_pauses() -> QuerySet[Pause]:
    """The pauses that stop the legal clock: those during processing (one at intake comes
    before the clock starts, and `Dossier.pause_count` counts only these)."""
    return Pause.objects.filter(stage=Pause.Stage.PROCESSING)


def is_running_at(pause: Pause, moment: datetime) -> bool:
    """The pause holds the clock at `moment` (the SQL is `running_at`)."""
    return pause.requested_at <= moment and (pause.resumed_at is None or pause.resumed_at > moment)


def running_at(moment: datetime) -> Q:
    """`is_running_at` in SQL, on pauses."""
    return Q(requested_at__lte=moment) & (Q(resumed_at__isnull=True) | Q(resumed_at__gt=moment))


def is_overdue_at(dossier: Dossier, pauses: Sequence[Pause], moment: datetime) -> bool:
    """Overdue at `moment` by the due time in force then; `pauses` are the dossier's
    `clock_pauses` by request time (the SQL is `overdue_at`)."""
    for pause in pauses:
        if is_running_at(pause, moment):
            # Paused then: the value it had when paused.
            return is_overdue(pause.due_before, pause.requested_at)
    # A later pause moved the due time after the fact: before it, it was its `due_before`.
    later = [pause for pause in pauses if pause.requested_at > moment]
    return is_overdue(later[0].due_before if later else dossier.due_at, moment)


def overdue_at(dossiers: QuerySet[Dossier], moment: datetime) -> QuerySet[Dossier]:
    """Those of `dossiers` for which `is_overdue_at` holds at `moment`."""
    pauses = clock_pauses().filter(dossier=OuterRef("pk"))
    later = pauses.filter(requested_at__gt=moment).order_by("requested_at")
    current = pauses.filter(running_at(moment))
    return dossiers.annotate(
        due_then=Coalesce(Subquery(later.values("due_before")[:1]), F("due_at")),
        paused_then=Exists(current),
        late_when_paused=Exists(current.filter(overdue("due_before", F("requested_at")))),
    ).filter((overdue("due_then", moment) & Q(paused_then=False)) | Q(late_when_paused=True))


# A dossier never paused has kept its due time and its clock has never stopped: the
# comparison of `due_at` with the moment decides (`is_overdue_at` with no pauses). The
# indicators count most dossiers so and leave the few others to `overdue_at`.
NEVER_PAUSED = Q(pause_count=0)
EVER_PAUSED = ~NEVER_PAUSED


def overdue_unpaused(moment: datetime) -> Q:
    """Never paused and overdue at `moment`."""
    return NEVER_PAUSED & overdue("due_at", moment)


# While in progress (RULES.md §5) --------------------------------------------------------


def timeliness_in_progress(
    calendar: WorkingCalendar, at: datetime, due: datetime, due_soon_days: float = 1
) -> Timeliness:
    """Trong hạn / sắp đến hạn / quá hạn of a dossier still being processed, judged at
    `at` (its `clock_now`)."""
    if is_overdue(due, at):
        return Timeliness.OVERDUE
    remaining = calendar.working_seconds_between(at, due)
    if remaining <= due_soon_days * calendar.hours.seconds_per_day:
        return Timeliness.DUE_SOON
    return Timeliness.WITHIN_DEADLINE


# Once processing ended (RULES.md §5) ----------------------------------------------------

# Decision 766: more supplement requests during processing than this make a dossier late.
SUPPLEMENT_REQUESTS_KEPT = 1


def is_late_by_supplements(supplement_requests: int) -> bool:
    return supplement_requests > SUPPLEMENT_REQUESTS_KEPT


LATE_BY_SUPPLEMENTS = Q(supplement_count__gt=SUPPLEMENT_REQUESTS_KEPT)


def timeliness_when_ended(ended_at: datetime, due: datetime, supplement_requests: int = 0) -> str:
    """Trước hạn / đúng hạn / quá hạn of processing (or of a step of form 05) that ended at
    `ended_at`, against the legal due time: an apology's new date does not count."""
    if is_late_by_supplements(supplement_requests) or is_overdue(due, ended_at):
        return Timeliness.LATE
    if ended_at.astimezone(LOCAL_TIME).date() < due.astimezone(LOCAL_TIME).date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def resolved_timeliness(dossier: Dossier) -> str | None:
    """`timeliness_when_ended` of a dossier; None before its processing ended or without
    a due time (the SQL is `resolved_timeliness_case`)."""
    if dossier.processing_ended_at is None or dossier.due_at is None:
        return None
    return timeliness_when_ended(
        dossier.processing_ended_at, dossier.due_at, dossier.supplement_count
    )


def with_days(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    """The local calendar days of the end of processing and of the due time, which the
    splits below compare (the snapshot annotates the same names its own way)."""
    return dossiers.annotate(
        ended_day=TruncDate("processing_ended_at", tzinfo=LOCAL_TIME),
        due_day=TruncDate("due_at", tzinfo=LOCAL_TIME),
    )


RESOLVED_LATE = LATE_BY_SUPPLEMENTS | overdue("due_at", F("processing_ended_at"))
RESOLVED_EARLY = ~LATE_BY_SUPPLEMENTS & Q(ended_day__lt=F("due_day"))
RESOLVED_ON_TIME = ~LATE_BY_SUPPLEMENTS & Q(
    ended_day__gte=F("due_day"), processing_ended_at__lte=F("due_at")
)


def resolved_timeliness_case() -> Case:
    """`resolved_timeliness` in SQL, on a QuerySet `with_days`."""
    return Case(
        When(RESOLVED_LATE, then=Value(Timeliness.LATE.value)),
        When(RESOLVED_EARLY, then=Value(Timeliness.EARLY.value)),
        When(RESOLVED_ON_TIME, then=Value(Timeliness.ON_TIME.value)),
        default=None,
        output_field=CharField(),
    )


# Apology, form 04 (RULES.md §4, §11) ----------------------------------------------------

APOLOGY_NOTICE_WORKING_DAYS = 1


def _notice_seconds(calendar: WorkingCalendar) -> int:
    return APOLOGY_NOTICE_WORKING_DAYS * calendar.hours.seconds_per_day


def is_apology_late(calendar: WorkingCalendar, at: datetime, due: datetime) -> bool:
    """An apology issued at `at` is late: less than a working day of office time is left
    before the due time, or none (the SQL is `apology_late`)."""
    return is_overdue(due, at) or calendar.working_seconds_between(at, due) < _notice_seconds(
        calendar
    )


def apology_late(calendar: WorkingCalendar, at: datetime) -> Q:
    """`is_apology_late` in SQL, for dossiers of one calendar: due before the instant a
    working day of office time after `at`, the first with as much left before it."""
    return overdue("due_at", calendar.add_working_seconds(at, _notice_seconds(calendar)))


# Interconnected groups (RULES.md §6, DOMAIN.md §13) -------------------------------------

# The parent carries the receipt's code; its members are worked on, watched and counted.
GROUP_PARENT = Q(interconnection_group__isnull=False, parent__isnull=True)


def is_group_parent(dossier: Dossier) -> bool:
    return dossier.interconnection_group_id is not None and dossier.parent_id is None


def without_group_parents(dossiers: QuerySet[Dossier]) -> QuerySet[Dossier]:
    return dossiers.exclude(GROUP_PARENT)
