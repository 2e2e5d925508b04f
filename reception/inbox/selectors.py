"""Readers of the processing inbox: the dossiers of the agencies an officer processes for
or leads, by legal due time. Every query starts from those agencies."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dossiers import timeliness
from dossiers.models import Attachment, Dossier, Status
from dossiers.selectors import dossier_timeliness, processing_scope
from dossiers.services.common import calendar_of
from portal.models import AuditEvent, User
from portal.roles import Role
from procedures.models import AdministrativeUnit, Agency, Assignment, Procedure
from procedures.selectors import officer_scopes

INBOX_ROLES = (Role.PROCESSING_OFFICER, Role.UNIT_LEADER)


class Tray(models.TextChoices):
    ACTIVE = "active", _("To process")
    WAITING = "waiting", _("Waiting for the applicant")
    RESULTS = "results", _("Results to return")


TRAY_STATES: dict[str, tuple[str, ...]] = {
    Tray.ACTIVE: (Status.RECEIVED, Status.IN_PROCESS),
    # The clock is stopped until the applicant answers (RULES.md §4).
    Tray.WAITING: (Status.SUPPLEMENT_REQUESTED, Status.FINANCIAL_OBLIGATION),
    # Approved and sent back to the reception point; not yet handed to the applicant.
    Tray.RESULTS: (Status.COMPLETED,),
}


class Holder(models.TextChoices):
    ALL = "all", _("Everyone's")
    MINE = "mine", _("Assigned to me")
    UNASSIGNED = "unassigned", _("Unassigned")


@dataclass(frozen=True)
class InboxFilters:
    tray: str = Tray.ACTIVE
    holder: str = Holder.ALL
    status: str = ""
    procedure_id: int | None = None
    code: str = ""


@dataclass(frozen=True)
class InboxRow:
    """A dossier of the inbox with its deadline as the officer needs to read it."""

    dossier: Dossier
    timeliness: str | None
    # Working time until the legal due time (negative once past it), frozen while paused.
    remaining_seconds: float | None
    seconds_per_day: int
    has_result_file: bool

    @property
    def past_due(self) -> bool:
        return self.remaining_seconds is not None and self.remaining_seconds < 0

    @property
    def working_time(self) -> tuple[int, int, int]:
        """The remaining (or overdue) working time as working days, hours and minutes."""
        seconds = int(abs(self.remaining_seconds or 0))
        days, seconds = divmod(seconds, self.seconds_per_day)
        return days, seconds // 3600, seconds % 3600 // 60


def inbox_agency_ids(user: User) -> frozenset[int]:
    """The agencies whose dossiers the officer processes or leads."""
    found: set[int] = set()
    scopes = officer_scopes(user)
    for role in INBOX_ROLES:
        if role in scopes:
            found |= scopes[role].agency_ids
    return frozenset(found)


def _in_agencies(user: User) -> QuerySet[Dossier]:
    # Only received dossiers: one asked to complete its papers at intake is the counter's.
    # An interconnected parent follows its members, which are the ones worked on.
    # A dossier handed to one of the agencies for a coordinated step is theirs while it lasts.
    mine = processing_scope(user)
    return timeliness.without_group_parents(
        Dossier.objects.filter(
            mine if mine is not None else Q(pk__in=[]), received_at__isnull=False
        )
    )


def inbox_for(
    *, user: User, filters: InboxFilters, now: datetime | None = None
) -> QuerySet[Dossier]:
    """The officer's inbox, overdue first, then by legal due time."""
    now = now or timezone.now()
    dossiers = _in_agencies(user).filter(status__in=TRAY_STATES[filters.tray])
    if filters.status:
        dossiers = dossiers.filter(status=filters.status)
    if filters.holder == Holder.MINE:
        dossiers = dossiers.filter(assigned_to=user)
    elif filters.holder == Holder.UNASSIGNED:
        dossiers = dossiers.filter(assigned_to__isnull=True)
    if filters.procedure_id:
        dossiers = dossiers.filter(procedure_id=filters.procedure_id)
    if filters.code:
        dossiers = dossiers.filter(code__icontains=filters.code)
    results = Attachment.objects.filter(dossier=OuterRef("pk"), kind=Attachment.Kind.RESULT)
    dossiers = dossiers.select_related(
        "procedure", "assigned_to", "reception_point", "unit"
    ).annotate(
        overdue_first=Case(When(timeliness.overdue_now(now), then=Value(0)), default=Value(1)),
        has_result_file=Exists(results),
    )
    if filters.tray == Tray.RESULTS:
        # The longest waiting result first.
        return dossiers.order_by("processing_ended_at", "pk")
    return dossiers.order_by("overdue_first", F("due_at").asc(nulls_last=True), "received_at", "pk")


def inbox_rows(dossiers: list[Dossier], *, now: datetime | None = None) -> list[InboxRow]:
    """Deadlines of one page of the inbox; the working calendars are kept in memory, so
    this reads nothing more from the database."""
    now = now or timezone.now()
    rows = []
    for dossier in dossiers:
        calendar = calendar_of(dossier)
        remaining = None
        if dossier.due_at is not None and dossier.processing_ended_at is None:
            at = timeliness.clock_now(dossier, now)
            if not timeliness.is_overdue(dossier.due_at, at):
                remaining = calendar.working_seconds_between(at, dossier.due_at)
            else:
                remaining = -calendar.working_seconds_between(dossier.due_at, at)
        rows.append(
            InboxRow(
                dossier=dossier,
                timeliness=dossier_timeliness(dossier, now=now),
                remaining_seconds=remaining,
                seconds_per_day=calendar.hours.seconds_per_day,
                has_result_file=getattr(dossier, "has_result_file", False),
            )
        )
    return rows


def inbox_counts(*, user: User, now: datetime | None = None) -> dict[str, int]:
    """How many dossiers each tray holds, and how many of the ones to process are overdue."""
    now = now or timezone.now()
    # Only the dossiers of some tray: the (agency, status) index serves them, rather than
    # every dossier the agencies ever received.
    in_trays = [state for states in TRAY_STATES.values() for state in states]
    counts = (
        _in_agencies(user)
        .filter(status__in=in_trays)
        .aggregate(
            **{
                tray: Count("pk", filter=Q(status__in=states))
                for tray, states in TRAY_STATES.items()
            },
            overdue=Count(
                "pk", filter=Q(status__in=TRAY_STATES[Tray.ACTIVE]) & timeliness.overdue_now(now)
            ),
        )
    )
    return {key: value or 0 for key, value in counts.items()}


def inbox_procedures(*, user: User) -> QuerySet[Procedure]:
    """The procedures the officer's agencies settle: the choices of the filter."""
    return Procedure.objects.filter(agencies__in=inbox_agency_ids(user)).distinct().order_by("name")


def inbox_dossier(*, user: User, dossier_id: UUID | str) -> Dossier:
    """One dossier of the officer's agencies, or Dossier.DoesNotExist, also for a dossier
    that exists elsewhere."""
    return (
        _in_agencies(user)
        .select_related(
            "procedure", "agency", "unit", "reception_point", "assigned_to", "received_by"
        )
        .get(pk=dossier_id)
    )


def agency_officers(dossier: Dossier) -> QuerySet[User]:
    """Who may be given the dossier: the active processing officers and leaders of its
    agency, directly or through a unit above it (officer_scope's rule)."""
    units = []
    unit: AdministrativeUnit | None = dossier.agency.unit
    while unit is not None:
        units.append(unit.pk)
        unit = unit.parent
    assignments = Assignment.objects.filter(role__in=INBOX_ROLES).filter(
        Q(agency_id=dossier.agency_id) | Q(unit_id__in=units)
    )
    return User.objects.filter(is_active=True, pk__in=assignments.values("user_id")).order_by(
        "full_name", "username"
    )


def hand_over_agencies(dossier: Dossier) -> QuerySet[Agency]:
    """The agencies a dossier may go to for an interconnected step: any agency in force
    but its own."""
    return (
        Agency.objects.valid_on(timezone.localdate()).exclude(pk=dossier.agency_id).order_by("name")
    )


def next_step(dossier: Dossier) -> dict[str, Any] | None:
    """The step of the procedure's internal workflow the next hand-over opens (the
    hand-over service takes the step after the rows already written)."""
    steps = (dossier.terms or {}).get("steps", [])
    position = dossier.hand_overs.count() + 1
    return steps[position] if position < len(steps) else None


def dossier_papers(dossier: Dossier) -> tuple[list[Attachment], list[Attachment]]:
    """The papers of the dossier and its electronic result files."""
    files = list(dossier.attachments.order_by("uploaded_at"))
    papers = [file for file in files if file.kind == Attachment.Kind.PAPER]
    results = [file for file in files if file.kind == Attachment.Kind.RESULT]
    return papers, results


def dossier_timeline(dossier: Dossier) -> QuerySet[AuditEvent]:
    """What happened to the dossier, oldest first (the audit trail)."""
    return (
        AuditEvent.objects.filter(
            target_type=ContentType.objects.get_for_model(Dossier), target_id=str(dossier.pk)
        )
        .select_related("actor")
        .order_by("created_at", "pk")
    )
