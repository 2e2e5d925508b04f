from django.urls import path

from reception.counter import views

urlpatterns = [
    path("", views.home, name="home"),
    path("intake/", views.intake, name="intake"),
    path("intake/procedures/", views.procedures, name="procedures"),
    path("pending/", views.pending, name="pending"),
    path("pending/<uuid:dossier_id>/", views.decide, name="decide"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<uuid:dossier_id>/", views.transfer, name="transfer"),
    path("returns/", views.returns, name="returns"),
    path("returns/<uuid:dossier_id>/", views.return_result, name="return"),
    path("dossiers/<uuid:dossier_id>/", views.dossier, name="dossier"),
]
