"""Postal partner API (/api/v1/postal/): pickups, shipment events, results to deliver and
delivery confirmations, the partner's dossiers. One view per operation."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from dossiers.errors import ProcedureNotPostalError
from dossiers.models import Dossier
from dossiers.services import Applicant
from portal.api_errors import as_field_error
from procedures.models import Procedure, ReceptionPoint
from reception.errors import (
    NoAgencyAtPointError,
    ProcedureNotInForceError,
    UnknownReceptionPointError,
)
from reception.models import PartnerClient, Shipment, ShipmentEvent
from reception.postal import schema, services
from reception.postal.auth import (
    HasScope,
    PartnerKeyAuthentication,
    PartnerRateThrottle,
    idempotent,
)

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass

# Registers the security scheme with drf-spectacular. Refusals answer the body of
# portal.api_errors, documented for every operation by its schema class.
assert schema.PartnerKeyScheme is not None
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key",
    {"type": "string", "minLength": 1, "maxLength": 100},  # as reception.postal.auth checks
    OpenApiParameter.HEADER,
    required=True,
    description="Unique per request: a retry with the same key and body gets the same answer.",
)


class PartnerApi:
    authentication_classes: Sequence[type[BaseAuthentication]] = [PartnerKeyAuthentication]
    permission_classes: "Sequence[_PermissionClass]" = [HasScope]
    throttle_classes: Sequence[type[BaseThrottle]] = [PartnerRateThrottle]
    required_scope = ""


def _partner(request: Request) -> PartnerClient:
    """The partner whose key authenticated the request: HasScope lets nobody else in."""
    return cast(PartnerClient, request.auth)


class ApplicantInput(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    citizen_id = serializers.RegexField(
        r"^\d{12}$", required=False, allow_blank=True, help_text="12-digit citizen ID"
    )
    phone = serializers.RegexField(r"^\+?\d{9,12}$", required=False, allow_blank=True)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=254)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)


class DossierOutput(serializers.Serializer):
    reference = serializers.CharField()
    code = serializers.CharField(allow_null=True)
    status = serializers.CharField()
    procedure = serializers.CharField(source="procedure.code")
    reception_point = serializers.CharField(source="reception_point.code", allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    received_at = serializers.DateTimeField(allow_null=True)
    due_at = serializers.DateTimeField(allow_null=True)
    processing_ended_at = serializers.DateTimeField(allow_null=True)
    returned_at = serializers.DateTimeField(allow_null=True)
    result_delivery = serializers.CharField()


class ShipmentOutput(serializers.Serializer):
    bill_number = serializers.CharField()
    direction = serializers.CharField()
    service = serializers.CharField()
    status = serializers.CharField()
    sealed_package = serializers.CharField()
    fees_collected = serializers.IntegerField()


class PickupApi(PartnerApi, APIView):
    """Create a pickup: a dossier collected at the applicant's home, sealed, on its way to
    the reception point (state `submitted`, channel `postal`)."""

    required_scope = "pickups:create"

    class PickupInput(serializers.Serializer):
        procedure = serializers.CharField(
            max_length=16, help_text="National procedure code, e.g. 1.001193"
        )
        reception_point = serializers.CharField(max_length=40)
        agency = serializers.CharField(
            required=False, allow_blank=True, help_text="Identifier code; optional if only one"
        )
        applicant = ApplicantInput()
        components_checked = serializers.ListField(
            child=serializers.IntegerField(min_value=1),
            allow_empty=True,
            help_text="Ids of the published papers counted at the door",
        )
        bill_number = serializers.RegexField(r"^[A-Za-z0-9-]{4,40}$")
        sealed_package = serializers.CharField(max_length=40, required=False, allow_blank=True)
        fees_collected = serializers.IntegerField(min_value=0, max_value=10**12, default=0)
        service = serializers.ChoiceField(choices=Shipment.Service.choices)
        delivery_address = serializers.CharField(
            max_length=300, required=False, allow_blank=True, default=""
        )
        picked_up_at = serializers.DateTimeField(required=False)

        def validate_procedure(self, code: str) -> Procedure:
            procedure = Procedure.objects.public(timezone.localdate()).filter(code=code).first()
            if procedure is None:
                raise as_field_error(ProcedureNotInForceError())
            if not procedure.postal_intake:
                raise as_field_error(ProcedureNotPostalError(procedure=code))
            return procedure

        def validate_reception_point(self, code: str) -> ReceptionPoint:
            point = ReceptionPoint.objects.filter(code=code).first()
            if point is None:
                raise as_field_error(UnknownReceptionPointError())
            return point

    class PickupOutput(serializers.Serializer):
        dossier = DossierOutput()
        shipment = ShipmentOutput()

    @extend_schema(
        tags=["postal"],
        parameters=[IDEMPOTENCY],
        request=PickupInput,
        responses={201: PickupOutput},
        examples=[
            OpenApiExample(
                "Birth registration collected at home",
                request_only=True,
                value={
                    "procedure": "1.001193",
                    "reception_point": "ttpvhcc-14797",
                    "applicant": {"name": "Nguyễn Thị Lan", "phone": "0912345678"},
                    "components_checked": [1, 2],
                    "bill_number": "EB123456789VN",
                    "sealed_package": "TH-000123",
                    "fees_collected": 0,
                    "service": "both",
                    "delivery_address": "12 Lê Lợi, Hạc Thành",
                },
            )
        ],
    )
    @idempotent
    def post(self, request: Request) -> Response:
        data = self.PickupInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        point = values["reception_point"]
        agencies = values["procedure"].agencies.filter(reception_points=point)
        if values.get("agency"):
            agencies = agencies.filter(code=values["agency"])
        agency = agencies.select_related("unit").order_by("code").first()
        if agency is None:
            raise NoAgencyAtPointError
        pickup = services.Pickup(
            procedure=values["procedure"],
            reception_point=point,
            agency=agency,
            applicant=Applicant(**values["applicant"]),
            components_checked=values["components_checked"],
            bill_number=values["bill_number"],
            sealed_package=values.get("sealed_package", ""),
            fees_collected=values["fees_collected"],
            service=values["service"],
            delivery_address=values["delivery_address"],
            picked_up_at=values.get("picked_up_at") or timezone.now(),
        )
        shipment = services.pickup_create(client=_partner(request), pickup=pickup)
        body = self.PickupOutput({"dossier": shipment.dossier, "shipment": shipment}).data
        return Response(body, status=status.HTTP_201_CREATED)


class ShipmentEventApi(PartnerApi, APIView):
    """Record what happened to a shipment, with the time it happened."""

    required_scope = "shipments:write"

    class ShipmentEventInput(serializers.Serializer):
        kind = serializers.ChoiceField(choices=ShipmentEvent.Kind.choices)
        occurred_at = serializers.DateTimeField()
        note = serializers.CharField(max_length=300, required=False, allow_blank=True)

    class ShipmentEventOutput(serializers.Serializer):
        bill_number = serializers.CharField(source="shipment.bill_number")
        kind = serializers.CharField()
        occurred_at = serializers.DateTimeField()

    @extend_schema(
        tags=["postal"],
        parameters=[IDEMPOTENCY],
        request=ShipmentEventInput,
        responses={201: ShipmentEventOutput},
    )
    @idempotent
    def post(self, request: Request, bill_number: str) -> Response:
        data = self.ShipmentEventInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            event = services.shipment_event_record(
                client=_partner(request), bill_number=bill_number, **data.validated_data
            )
        except Shipment.DoesNotExist:
            raise Http404 from None
        return Response(self.ShipmentEventOutput(event).data, status=status.HTTP_201_CREATED)


class ResultOutput(DossierOutput):
    applicant_name = serializers.CharField()
    applicant_phone = serializers.CharField()
    delivery_address = serializers.CharField()


class ResultsPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        """The page size asked for (at most max_page_size); a page size that is not a whole
        number from 1 is refused, not silently replaced by the default."""
        asked = request.query_params.get(self.page_size_query_param)
        if asked is None:
            return self.page_size
        if not asked.isdigit() or int(asked) < 1:
            raise serializers.ValidationError(
                {self.page_size_query_param: [_("Give a whole number of 1 or more.")]}
            )
        return min(int(asked), self.max_page_size)


class ResultListApi(PartnerApi, generics.ListAPIView):
    """Results ready at the partner's reception points, to be collected and delivered."""

    required_scope = "results:read"
    serializer_class = ResultOutput
    pagination_class = ResultsPagination
    filter_backends: list = []

    @extend_schema(
        tags=["postal"],
        parameters=[
            OpenApiParameter("reception_point", str, description="Only this reception point")
        ],
        responses={200: ResultOutput(many=True)},
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        results = services.results_ready(_partner(self.request))
        point = self.request.query_params.get("reception_point")
        return results.filter(reception_point__code=point) if point else results


class DeliveryApi(PartnerApi, APIView):
    """Confirm that a result reached the applicant: the dossier is returned by post."""

    required_scope = "results:read"

    class DeliveryInput(serializers.Serializer):
        bill_number = serializers.RegexField(r"^[A-Za-z0-9-]{4,40}$")
        delivered_at = serializers.DateTimeField(required=False)

    @extend_schema(
        tags=["postal"],
        parameters=[IDEMPOTENCY],
        request=DeliveryInput,
        responses={200: DossierOutput},
    )
    @idempotent
    def post(self, request: Request, code: str) -> Response:
        data = self.DeliveryInput(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            dossier = services.result_delivered(
                client=_partner(request), code=code, **data.validated_data
            )
        except Dossier.DoesNotExist:
            raise Http404 from None
        return Response(DossierOutput(dossier).data)


class PartnerDossierApi(PartnerApi, generics.RetrieveAPIView):
    """The state of a dossier this partner carried, by reference or code."""

    required_scope = "dossiers:read"
    serializer_class = DossierOutput

    @extend_schema(tags=["postal"], responses={200: DossierOutput})
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)

    def get_object(self) -> Dossier:
        ident = self.kwargs["ident"]
        found = (
            services.partner_dossiers(_partner(self.request)).filter(reference=ident).first()
            or services.partner_dossiers(_partner(self.request)).filter(code=ident).first()
        )
        if found is None:
            raise Http404
        return found
