from django.urls import path

from procedures import api, views

app_name = "procedures"

urlpatterns = [
    path("", views.procedure_list, name="list"),
    path("<str:code>/", views.procedure_detail, name="detail"),
]

api_urlpatterns = [
    path("procedures/", api.ProcedureListApi.as_view(), name="procedure-list"),
    path("procedures/<str:code>/", api.ProcedureDetailApi.as_view(), name="procedure-detail"),
]
