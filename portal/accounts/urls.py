"""Citizen accounts: sign-up and sign-in by email or phone, verification, reset, profile."""

from django.contrib.auth.decorators import login_required
from django.urls import path
from django.views.generic import TemplateView

from portal.accounts import views

urlpatterns = [
    path("", views.profile, name="profile"),
    path("workspace/", views.workspace, name="workspace"),
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.SignOutView.as_view(), name="logout"),
    path("signup/", views.signup, name="signup"),
    path("verify-email/sent/", views.verify_email_sent, name="verify-email-sent"),
    path("verify-email/resend/", views.verify_email_resend, name="verify-email-resend"),
    path("verify-email/<str:token>/", views.verify_email, name="verify-email"),
    path(
        "password/",
        login_required(views.PasswordChangeView.as_view(), login_url="portal:login"),
        name="password-change",
    ),
    path("password/reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password/reset/sent/",
        TemplateView.as_view(template_name="portal/accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path(
        "password/reset/done/",
        TemplateView.as_view(template_name="portal/accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password-reset-confirm",
    ),
]
