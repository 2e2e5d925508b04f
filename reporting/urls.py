from django.urls import path

from reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("units/<int:unit_id>/", views.dashboard, name="unit"),
    path("units/<int:unit_id>/overdue/", views.overdue, name="overdue"),
    path("units/<int:unit_id>/targets/", views.targets, name="targets"),
    path("units/<int:unit_id>/officers/", views.officers, name="officers"),
    path("units/<int:unit_id>/report.pdf", views.report, name="report"),
    path("units/<int:unit_id>/<str:table>.<str:fmt>", views.export, name="export"),
    path("dossiers/<uuid:dossier_id>/", views.dossier, name="dossier"),
]
