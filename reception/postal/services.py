"""What the postal partner does through the API: pickups, shipment events, deliveries."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from dossiers import services as dossier_services
from dossiers.models import Dossier, ResultDelivery, Status
from dossiers.services import Applicant
from portal.roles import Role
from procedures.models import Agency, Procedure, ReceptionPoint
from procedures.selectors import officer_scope
from reception.errors import (
    BillNumberOfAnotherDossierError,
    BillNumberUsedError,
    DeliveryAddressRequiredError,
    PapersMissingError,
)
from reception.models import PartnerClient, Shipment, ShipmentEvent


@dataclass(frozen=True)
class Pickup:
    procedure: Procedure
    reception_point: ReceptionPoint
    agency: Agency
    applicant: Applicant
    components_checked: list[int]
    bill_number: str
    sealed_package: str
    fees_collected: int
    service: str
    delivery_address: str
    picked_up_at: datetime


def _missing_papers(procedure: Procedure, checked: list[int]) -> list[str]:
    required = procedure.components.filter(required=True).values_list("pk", "name")
    return [name for pk, name in required if pk not in set(checked)]


@transaction.atomic
def pickup_create(*, client: PartnerClient, pickup: Pickup) -> Shipment:
    """Nhận hồ sơ tại nhà: the papers were counted against the published list at the
    door, sealed, the fees collected; the dossier now waits for reception (submitted)."""
    missing = _missing_papers(pickup.procedure, pickup.components_checked)
    if missing:
        raise PapersMissingError(papers=", ".join(missing))
    if Shipment.objects.filter(client=client, bill_number=pickup.bill_number).exists():
        raise BillNumberUsedError
    returns_result = pickup.service in (Shipment.Service.RECEIVE_RESULT, Shipment.Service.BOTH)
    if returns_result and not pickup.delivery_address.strip():
        raise DeliveryAddressRequiredError
    dossier = dossier_services.dossier_submit_by_post(
        partner=client.account,
        procedure=pickup.procedure,
        agency=pickup.agency,
        reception_point=pickup.reception_point,
        applicant=pickup.applicant,
        result_delivery=ResultDelivery.POSTAL if returns_result else ResultDelivery.COUNTER,
        delivery_address=pickup.delivery_address,
    )
    shipment = Shipment.objects.create(
        client=client,
        dossier=dossier,
        direction=Shipment.Direction.DOSSIER,
        service=pickup.service,
        bill_number=pickup.bill_number,
        sealed_package=pickup.sealed_package,
        fees_collected=pickup.fees_collected,
        status=ShipmentEvent.Kind.PICKED_UP,
    )
    ShipmentEvent.objects.create(
        shipment=shipment, kind=ShipmentEvent.Kind.PICKED_UP, occurred_at=pickup.picked_up_at
    )
    return shipment


@transaction.atomic
def shipment_event_record(
    *, client: PartnerClient, bill_number: str, kind: str, occurred_at: datetime, note: str = ""
) -> ShipmentEvent:
    shipment = Shipment.objects.select_for_update().get(client=client, bill_number=bill_number)
    event = ShipmentEvent.objects.create(
        shipment=shipment, kind=kind, occurred_at=occurred_at, note=note
    )
    shipment.status = kind
    shipment.save(update_fields=["status"])
    return event


def results_ready(client: PartnerClient) -> QuerySet[Dossier]:
    """Results waiting at the partner's reception points to be delivered by post."""

    points = officer_scope(user=client.account, role=Role.POSTAL_PARTNER).reception_point_ids
    return (
        Dossier.objects.filter(
            status=Status.COMPLETED,
            result_delivery=ResultDelivery.POSTAL,
            reception_point_id__in=points,
        )
        .select_related("procedure", "reception_point")
        .order_by("processing_ended_at", "pk")
    )


@transaction.atomic
def result_delivered(
    *, client: PartnerClient, code: str, bill_number: str, delivered_at: datetime | None = None
) -> Dossier:
    """Đã phát kết quả: the result reached the applicant; the dossier is returned by post."""
    dossier = results_ready(client).filter(code=code).first()
    if dossier is None:
        raise Dossier.DoesNotExist(code)
    shipment, _ = Shipment.objects.get_or_create(
        client=client,
        bill_number=bill_number,
        defaults={
            "dossier": dossier,
            "direction": Shipment.Direction.RESULT,
            "service": Shipment.Service.RECEIVE_RESULT,
        },
    )
    if shipment.dossier_id != dossier.pk:
        raise BillNumberOfAnotherDossierError
    ShipmentEvent.objects.create(
        shipment=shipment,
        kind=ShipmentEvent.Kind.DELIVERED,
        occurred_at=delivered_at or timezone.now(),
    )
    shipment.status = ShipmentEvent.Kind.DELIVERED
    shipment.save(update_fields=["status"])
    return dossier_services.dossier_return_result(
        dossier_id=dossier.pk, officer=client.account, delivery=ResultDelivery.POSTAL
    )


def partner_dossiers(client: PartnerClient) -> QuerySet[Dossier]:
    """The dossiers this partner carried, and only those."""
    return Dossier.objects.filter(shipments__client=client).distinct()
