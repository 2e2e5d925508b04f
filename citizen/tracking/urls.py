from django.urls import path

from citizen.tracking import lookup_views, views

urlpatterns = [
    path("my/dossiers/", views.my_dossiers, name="my-dossiers"),
    path("my/dossiers/<uuid:dossier_id>/", views.my_dossier, name="my-dossier"),
    path("my/dossiers/<uuid:dossier_id>/supplement/", views.supplement, name="supplement"),
    path("my/dossiers/<uuid:dossier_id>/evaluate/", views.evaluate, name="evaluate"),
    path("my/dossiers/<uuid:dossier_id>/receipt.pdf", views.e_receipt, name="e-receipt"),
    # The receipt's QR code encodes {PUBLIC_BASE_URL}/lookup/?code=…#secret=… (form 01).
    path("lookup/", lookup_views.lookup, name="lookup"),
    path("lookup/evaluate/", lookup_views.lookup_evaluate, name="lookup-evaluate"),
]
