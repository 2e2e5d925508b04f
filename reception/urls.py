from django.urls import include, path

from reception.counter import urls as counter_urls
from reception.documents import urls as document_urls
from reception.inbox import urls as inbox_urls
from reception.postal import api
from reception.queue import urls as queue_urls

# Officers' workspace pages, under /reception/ (namespace "reception").
workspace_urlpatterns = [
    path("", include((counter_urls.urlpatterns, "counter"))),
    path("forms/", include((document_urls.urlpatterns, "documents"))),
    path("queue/", include((queue_urls.urlpatterns, "queue"))),
    path("inbox/", include((inbox_urls.urlpatterns, "inbox"))),
]

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
