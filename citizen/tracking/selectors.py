"""Readers for the citizen following a dossier: their own dossiers, what happened to one
of them in plain words, and the public status lookup by receipt (RULES.md §7)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, OuterRef, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from dossiers.models import Attachment, Dossier, Evaluation, Pause, Status
from dossiers.selectors import dossiers_visible_to
from dossiers.services.evaluations import EVALUABLE, receipt_dossier
from portal.models import AuditEvent, User
from reception.queue.selectors import initials

# What the citizen is asked to do, or may now do, per state: the badge of "my dossiers".
BADGES = {
    Status.SUPPLEMENT_REQUESTED: ("action", gettext_lazy("Papers requested from you")),
    Status.FINANCIAL_OBLIGATION: ("action", gettext_lazy("Financial obligation to fulfil")),
    Status.COMPLETED: ("ready", gettext_lazy("Your result is ready")),
}

# The audit events a citizen is shown, in plain words. Officers' internal steps
# (assignment, notifications, reprinted receipts) are left out, and so is who did what:
# the citizen sees the agency, never the officer.
TIMELINE = {
    "dossiers.imported": gettext_lazy("Imported from the former system"),
    "dossiers.submitted": gettext_lazy("Application submitted"),
    "dossiers.received": gettext_lazy("Received"),
    "dossiers.rejected": gettext_lazy("Refused at reception"),
    "dossiers.supplement_requested_at_intake": gettext_lazy(
        "You were asked to complete the dossier"
    ),
    "dossiers.transferred": gettext_lazy("Sent to the competent agency"),
    "dossiers.handed_over": gettext_lazy("Moved to the next processing step"),
    "dossiers.supplement_requested": gettext_lazy("Supplement requested; the clock is paused"),
    "dossiers.supplemented": gettext_lazy("Supplement received; the clock runs again"),
    "dossiers.financial_obligation_requested": gettext_lazy("Financial obligation notified"),
    "dossiers.financial_obligation_fulfilled": gettext_lazy("Financial obligation fulfilled"),
    "dossiers.apologised": gettext_lazy("Apology letter with a new date"),
    "dossiers.completed": gettext_lazy("Result approved"),
    "dossiers.stopped": gettext_lazy("Processing stopped"),
    "dossiers.result_attached": gettext_lazy("Electronic result available"),
    "dossiers.result_ready": gettext_lazy("Paper result ready at the reception point"),
    "dossiers.result_returned": gettext_lazy("Result returned"),
    "dossiers.withdrawn": gettext_lazy("Withdrawn"),
    "dossiers.paid_online": gettext_lazy("The fees were paid online"),
    "dossiers.evaluated": gettext_lazy("Service rated"),
}
# Events whose recorded reason is written for the applicant (forms 02, 03 and the stop).
REASONED = frozenset(
    {
        "dossiers.rejected",
        "dossiers.supplement_requested_at_intake",
        "dossiers.supplement_requested",
        "dossiers.stopped",
        "dossiers.withdrawn",
    }
)
ATTACHMENT_ADDED = "dossiers.attachment_added"


def my_dossiers(*, user: User) -> QuerySet[Dossier]:
    """Hồ sơ của tôi: the dossiers the user applied for, newest first; drafts are listed
    with the applications being written."""
    return (
        dossiers_visible_to(user)
        .filter(applicant=user)
        .exclude(status=Status.DRAFT)
        .select_related("procedure")
        .order_by("-created_at", "-pk")
    )


def my_dossier(*, user: User, dossier_id: UUID | str) -> Dossier:
    """One of the user's own dossiers; DoesNotExist for anyone else's."""
    return (
        my_dossiers(user=user)
        .select_related("agency", "reception_point", "evaluation", "apology")
        .get(pk=dossier_id)
    )


def badge(dossier: Dossier) -> tuple[str, Promise] | None:
    return BADGES.get(Status(dossier.status))


def evaluable(dossier: Dossier) -> bool:
    """Processing has ended and nobody has rated the service yet (RULES.md §8)."""
    return dossier.status in EVALUABLE and not Evaluation.objects.filter(dossier=dossier).exists()


def waiting_on(dossier: Dossier) -> tuple[Pause | None, Pause | None]:
    """The supplement request and the financial obligation the dossier waits on: at most
    one of the two, and only while the dossier is in the matching state."""
    pause = dossier.pauses.filter(resumed_at__isnull=True).order_by("-requested_at").first()
    if pause is None:
        return None, None
    if pause.kind == Pause.Kind.SUPPLEMENT and dossier.status == Status.SUPPLEMENT_REQUESTED:
        return pause, None
    if (
        pause.kind == Pause.Kind.FINANCIAL_OBLIGATION
        and dossier.status == Status.FINANCIAL_OBLIGATION
    ):
        return None, pause
    return None, None


def supplement_uploads(dossier: Dossier, pause: Pause, *, user: User) -> list[Attachment]:
    """The files the applicant added since the supplement was requested."""
    return list(
        dossier.attachments.filter(
            kind=Attachment.Kind.PAPER, uploaded_by=user, uploaded_at__gte=pause.requested_at
        ).order_by("uploaded_at")
    )


def papers(dossier: Dossier) -> tuple[list[Attachment], list[Attachment]]:
    """The dossier's papers and its electronic result files."""
    files = list(dossier.attachments.order_by("uploaded_at"))
    return (
        [file for file in files if file.kind == Attachment.Kind.PAPER],
        [file for file in files if file.kind == Attachment.Kind.RESULT],
    )


def components(dossier: Dossier) -> list[dict[str, Any]]:
    """The papers of the procedure as the dossier was received under (or as published,
    before reception)."""
    terms = dossier.terms or {}
    if "components" in terms:
        return list(terms["components"])
    return [
        {"id": component.pk, "name": component.name, "copy_type": component.copy_type}
        for component in dossier.procedure.components.all()
    ]


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    label: str | Promise
    detail: str


def timeline(dossier: Dossier) -> list[TimelineEntry]:
    """What happened to the dossier, oldest first, in plain words."""
    events = AuditEvent.objects.filter(
        target_type=ContentType.objects.get_for_model(Dossier), target_id=str(dossier.pk)
    ).order_by("created_at", "pk")
    entries = []
    for event in events:
        if event.event == ATTACHMENT_ADDED:
            # The applicant's own uploads; officers' scans at the counter are their work.
            if event.actor_id is None or event.actor_id != dossier.applicant_id:
                continue
            label: str | Promise = gettext_lazy("You added a file")
        elif event.event in TIMELINE:
            label = TIMELINE[event.event]
        else:
            continue
        entries.append(TimelineEntry(event.created_at, label, _detail(dossier, event)))
    return entries


def _detail(dossier: Dossier, event: AuditEvent) -> str:
    data = event.data or {}
    if event.event == "dossiers.received" and dossier.reception_point_id is not None:
        return str(dossier.reception_point)
    if event.event == "dossiers.transferred":
        return str(dossier.agency)
    if event.event in REASONED and data.get("reason"):
        return str(data["reason"])
    if event.event.startswith("dossiers.supplement_requested") and data.get("items"):
        return ", ".join(str(item) for item in data["items"])
    return ""


@dataclass(frozen=True)
class LookupAnswer:
    """All the status lookup shows: no personal data beyond the applicant's initials."""

    code: str
    procedure: str
    status: str
    status_label: str
    received_at: datetime | None
    due_at: datetime | None
    rescheduled_due_at: datetime | None
    supplement_requested: bool
    result_ready: bool
    initials: str
    evaluable: bool
    evaluated: bool


# What the answer shows and the secret check reads: one query, none of the rest of the row.
LOOKUP_FIELDS = (
    "code",
    "imported",
    "lookup_secret_hash",
    "status",
    "received_at",
    "due_at",
    "rescheduled_due_at",
    "applicant_name",
    "procedure__name",
)


def lookup(*, code: str, secret: str) -> LookupAnswer:
    """Tra cứu hồ sơ: the status of the dossier whose receipt carries this code and lookup
    secret; DoesNotExist, the same, whether the code or the secret is wrong."""
    dossiers = (
        Dossier.objects.select_related("procedure")
        .only(*LOOKUP_FIELDS)
        .annotate(evaluated=Exists(Evaluation.objects.filter(dossier=OuterRef("pk"))))
    )
    dossier = receipt_dossier(dossiers, code=code, secret=secret, legacy_by_code=True)
    # Annotated above; receipt_dossier() returns it as a plain Dossier.
    evaluated = bool(dossier.evaluated)  # type: ignore[attr-defined]
    return LookupAnswer(
        code=dossier.code or "",
        procedure=dossier.procedure.name,
        status=dossier.status,
        status_label=dossier.get_status_display(),
        received_at=dossier.received_at,
        due_at=dossier.due_at,
        rescheduled_due_at=dossier.rescheduled_due_at,
        supplement_requested=dossier.status == Status.SUPPLEMENT_REQUESTED,
        result_ready=dossier.status == Status.COMPLETED,
        initials=initials(dossier.applicant_name),
        # Rating needs the receipt's secret: a legacy dossier answering to its code alone
        # cannot be rated by whoever typed that code.
        evaluable=dossier.status in EVALUABLE and not evaluated and bool(secret.strip()),
        evaluated=evaluated,
    )
