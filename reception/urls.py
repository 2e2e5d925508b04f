from django.urls import path

from reception.postal import api

postal_api_urlpatterns = [
    path("pickups/", api.PickupApi.as_view(), name="pickups"),
    path(
        "shipments/<str:bill_number>/events/",
        api.ShipmentEventApi.as_view(),
        name="shipment-events",
    ),
    path("results/", api.ResultListApi.as_view(), name="results"),
    path("results/<str:code>/delivery/", api.DeliveryApi.as_view(), name="delivery"),
    path("dossiers/<str:ident>/", api.PartnerDossierApi.as_view(), name="dossier"),
]
