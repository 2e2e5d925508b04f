from django.urls import path

from dossiers import views

app_name = "dossiers"

urlpatterns = [
    path("attachments/<uuid:attachment_id>/", views.attachment, name="attachment"),
]
