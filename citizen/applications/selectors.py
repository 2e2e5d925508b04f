"""Readers of online applications and their payments: a citizen sees only their own."""

from dataclasses import dataclass
from uuid import UUID

from django.db.models import QuerySet

from dossiers.errors import PaymentNotPossibleError
from dossiers.models import Attachment, Dossier, Payment, ResultDelivery, Status
from dossiers.payments.services import fee_due, payment_refusal
from dossiers.selectors import dossiers_visible_to
from portal.models import User
from procedures.models import Agency, Component, OnlineLevel, Procedure, ReceptionPoint
from procedures.selectors import procedure_agencies, procedure_detail, procedure_reception_points


@dataclass(frozen=True)
class Place:
    """Where an online application is filed: a reception point and the agency it
    receives for."""

    reception_point: ReceptionPoint
    agency: Agency

    @property
    def key(self) -> str:
        return f"{self.reception_point.pk}-{self.agency.pk}"

    def __str__(self) -> str:
        return f"{self.reception_point.name} – {self.agency.name}"


@dataclass(frozen=True)
class Paper:
    """One paper of the application: the catalogue's component and the file for it."""

    component: Component
    attachment: Attachment | None


@dataclass(frozen=True)
class Fees:
    amount: int  # VND; 0 for a free procedure
    paid_online: bool
    collected_at_counter: bool
    refusal: PaymentNotPossibleError | None  # why it cannot be paid online now; None when it can
    paid: Payment | None  # the attempt that paid, if one did
    last_attempt: Payment | None

    @property
    def payable(self) -> bool:
        return self.refusal is None


def published_procedure(*, code: str) -> Procedure:
    """A published procedure, online or not (the page says which); DoesNotExist if none."""
    procedure = procedure_detail(code=code)
    if procedure is None:
        raise Procedure.DoesNotExist(code)
    return procedure


def is_online(procedure: Procedure) -> bool:
    return procedure.online_level in (OnlineLevel.FULL, OnlineLevel.PARTIAL)


def apply_places(*, procedure: Procedure) -> list[Place]:
    """The open reception points and the agencies they receive the procedure for."""
    agencies = {agency.pk: agency for agency in procedure_agencies(procedure=procedure)}
    points = procedure_reception_points(procedure=procedure).prefetch_related("agencies")
    return [
        Place(point, agencies[agency.pk])
        for point in points
        for agency in sorted(point.agencies.all(), key=lambda agency: agency.name)
        if agency.pk in agencies
    ]


def delivery_choices(procedure: Procedure) -> list[ResultDelivery]:
    """How the result may come back: at the counter always; by post and online only where
    the procedure allows it."""
    choices = [ResultDelivery.COUNTER]
    if procedure.postal_return:
        choices.append(ResultDelivery.POSTAL)
    if procedure.result_electronic:
        choices.append(ResultDelivery.ONLINE)
    return choices


def _own(user: User) -> QuerySet[Dossier]:
    # The applicant's own, even where the person is also an officer who sees others.
    return dossiers_visible_to(user).filter(applicant=user)


def drafts_of(*, user: User) -> QuerySet[Dossier]:
    return (
        _own(user)
        .filter(status=Status.DRAFT)
        .select_related("procedure", "reception_point")
        .order_by("-updated_at")
    )


def application_of(*, user: User, dossier_id: UUID | str) -> Dossier:
    """One of the user's applications; Dossier.DoesNotExist for anyone else's."""
    return (
        _own(user)
        .select_related("procedure", "procedure__sector", "reception_point", "agency")
        .get(pk=dossier_id)
    )


def papers_of(dossier: Dossier) -> list[Paper]:
    """The procedure's papers, each with the latest file the applicant attached for it."""
    attached: dict[int | None, Attachment] = {}
    for attachment in dossier.attachments.filter(kind=Attachment.Kind.PAPER):
        attached[attachment.component_id] = attachment  # oldest first: the latest wins
    return [
        Paper(component, attached.get(component.pk))
        for component in dossier.procedure.components.all()
    ]


def missing_papers(dossier: Dossier) -> list[Component]:
    """The required papers the application has no file for yet."""
    attached = set(
        dossier.attachments.filter(kind=Attachment.Kind.PAPER).values_list(
            "component_id", flat=True
        )
    )
    return [
        component
        for component in dossier.procedure.components.filter(required=True)
        if component.pk not in attached
    ]


def fees_of(dossier: Dossier) -> Fees:
    return Fees(
        amount=fee_due(dossier),
        paid_online=dossier.paid_online,
        collected_at_counter=dossier.fee_collected,
        refusal=payment_refusal(dossier),
        paid=dossier.payments.filter(status=Payment.Status.PAID).first(),
        last_attempt=dossier.payments.first(),
    )


def payment_of(*, user: User, reference: str) -> Payment:
    """One of the user's payments; Payment.DoesNotExist for anyone else's."""
    return Payment.objects.select_related("dossier", "dossier__procedure").get(
        reference=reference, dossier__in=_own(user)
    )
