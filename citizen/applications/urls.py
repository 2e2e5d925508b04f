"""Online applications: drafts with their papers, submission, and paying the fees online."""

from django.urls import path

from citizen.applications import payment_views, views

urlpatterns: list = [
    path("apply/<str:code>/", views.apply, name="apply"),
    path("applications/", views.applications, name="applications"),
    path("applications/<uuid:dossier_id>/", views.application, name="application"),
    path(
        "applications/<uuid:dossier_id>/pay/",
        payment_views.payment_start_view,
        name="payment-start",
    ),
    path(
        "payments/simulator/<str:reference>/",
        payment_views.payment_simulator,
        name="payment-simulator",
    ),
    path(
        "payments/callback/<str:provider>/",
        payment_views.payment_callback,
        name="payment-callback",
    ),
    path("payments/<str:reference>/", payment_views.payment_return, name="payment-return"),
]
