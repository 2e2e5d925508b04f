"""The processing officers' and leaders' inbox: their agency's dossiers by legal deadline."""

from django.urls import path

from reception.inbox import views

urlpatterns = [
    path("", views.inbox, name="list"),
    path("<uuid:dossier_id>/", views.dossier, name="dossier"),
    path("<uuid:dossier_id>/<slug:action>/", views.act, name="act"),
]
