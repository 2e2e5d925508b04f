"""Read-only REST API of the public procedure catalogue (/api/v1/procedures/)."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.throttling import AnonRateThrottle, BaseThrottle, UserRateThrottle

from procedures import selectors
from procedures.deadlines import TimeLimitUnit
from procedures.forms import CatalogueSearchForm
from procedures.models import (
    AdministrativeUnit,
    Component,
    CopyType,
    Fee,
    OnlineLevel,
    Procedure,
    Step,
)

if TYPE_CHECKING:
    from rest_framework.permissions import _PermissionClass


class CataloguePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class SectorOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcedureListOutput(serializers.Serializer):
    code = serializers.CharField(help_text="National procedure code (mã TTHC).")
    name = serializers.CharField()
    sector = SectorOutput()
    level = serializers.ChoiceField(choices=AdministrativeUnit.Level.choices)
    time_limit = serializers.DecimalField(max_digits=7, decimal_places=2)
    time_limit_unit = serializers.ChoiceField(choices=TimeLimitUnit.choices)
    online_level = serializers.ChoiceField(choices=OnlineLevel.choices)
    legacy_level = serializers.IntegerField(allow_null=True)
    fee_total = serializers.IntegerField(help_text="Sum of the fees and charges, in VND.")
    postal_intake = serializers.BooleanField()
    postal_return = serializers.BooleanField()
    url = serializers.SerializerMethodField()

    def get_url(self, procedure: Procedure) -> str:
        return self.context["request"].build_absolute_uri(f"/procedures/{procedure.code}/")


class ComponentOutput(serializers.ModelSerializer):
    copy_type = serializers.ChoiceField(choices=CopyType.choices)

    class Meta:
        model = Component
        fields = ["name", "copy_type", "count", "required", "note", "form_template"]


class FeeOutput(serializers.ModelSerializer):
    class Meta:
        model = Fee
        fields = ["kind", "name", "amount", "exemptions"]


class StepOutput(serializers.ModelSerializer):
    class Meta:
        model = Step
        fields = ["name", "responsible", "budget_hours"]


class ReceptionPointOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()


class GroupOutput(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProcedureDetailOutput(ProcedureListOutput):
    fee_total = serializers.IntegerField(source="total_fee")
    deciding_authority = serializers.CharField()
    time_limit_note = serializers.CharField()
    applicants = serializers.CharField()
    conditions = serializers.CharField()
    result_name = serializers.CharField()
    result_paper = serializers.BooleanField()
    result_electronic = serializers.BooleanField()
    legal_basis = serializers.CharField()
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    components = ComponentOutput(many=True)
    fees = FeeOutput(many=True)
    steps = StepOutput(many=True)
    interconnection_groups = GroupOutput(many=True)
    reception_points = serializers.SerializerMethodField()

    def get_reception_points(self, procedure: Procedure) -> list[dict]:
        points = selectors.procedure_reception_points(procedure=procedure)
        return ReceptionPointOutput(points, many=True).data  # type: ignore[return-value]


class PublicCatalogueApi:
    permission_classes: "Sequence[_PermissionClass]" = [AllowAny]
    throttle_classes: Sequence[type[BaseThrottle]] = [AnonRateThrottle, UserRateThrottle]


FILTER_PARAMETERS = [
    OpenApiParameter(
        "q",
        str,
        description="Words of the name or the code; diacritics and "
        'case are ignored ("dang ky khai sinh").',
    ),
    OpenApiParameter("sector", str, description="Sector code, e.g. ho-tich."),
    OpenApiParameter("level", str, enum=AdministrativeUnit.Level.values),
    OpenApiParameter("online_level", str, enum=OnlineLevel.values),
    OpenApiParameter("agency", str, description="Identifier code of an agency, e.g. H56.HT."),
]


@extend_schema(tags=["catalogue"], parameters=FILTER_PARAMETERS)
class ProcedureListApi(PublicCatalogueApi, generics.ListAPIView):
    """Published procedures in force, filtered and searched like the public page."""

    serializer_class = ProcedureListOutput
    pagination_class = CataloguePagination
    filter_backends: list = []

    def get_queryset(self):
        form = CatalogueSearchForm(self.request.query_params, facets=selectors.catalogue_facets())
        if not form.is_valid():
            # Each filter's problems with the form's codes (invalid_choice, …).
            raise ValidationError(
                {
                    field: [ErrorDetail(" ".join(e.messages), code=e.code) for e in errors]
                    for field, errors in form.errors.as_data().items()
                }
            )
        return selectors.procedure_list(filters=form.filters())


@extend_schema(tags=["catalogue"])
class ProcedureDetailApi(PublicCatalogueApi, generics.RetrieveAPIView):
    """One published procedure with its papers, fees, steps and reception points."""

    serializer_class = ProcedureDetailOutput
    lookup_url_kwarg = "code"

    def get_object(self) -> Procedure:
        procedure = selectors.procedure_detail(code=self.kwargs["code"])
        if procedure is None:
            raise Http404
        return procedure
