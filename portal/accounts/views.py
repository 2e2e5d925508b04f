"""Citizen account pages: sign up, sign in and out, email verification, password reset and
the profile. Views are thin: forms check, portal.accounts.services writes."""

import math
from typing import Any, cast
from urllib.parse import urlencode

from axes.helpers import get_cool_off
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from portal.accounts import forms, services, throttle
from portal.http import AuthenticatedHttpRequest
from portal.models import User
from portal.roles import Role

BACKEND = "portal.auth_backends.IdentifierBackend"
# Where an officer lands, by the first role they hold in this order.
OFFICER_HOMES = (
    (Role.RECEPTION_OFFICER, "reception:counter:home"),
    (Role.PROCESSING_OFFICER, "reception:inbox:list"),
    (Role.UNIT_LEADER, "reception:inbox:list"),
    (Role.MANAGER, "reporting:dashboard"),
)


def _first_url(*names: str) -> str:
    for name in names:
        try:
            return reverse(name)
        except NoReverseMatch:
            continue
    return reverse("home")


def default_destination(user: User) -> str:
    """Officers to their workspace, administrators to the admin, citizens to their
    dossiers."""
    # By role first: an officer's account need not be staff (the admin's flag).
    # Through the reverse relation of procedures.Assignment: the foundation does not
    # import the organisation above it.
    roles = set(user.assignments.values_list("role", flat=True))
    for role, name in OFFICER_HOMES:
        if role in roles:
            return _first_url(name)
    if user.is_staff:
        return reverse("admin:index")
    return _first_url("citizen:my-dossiers", "home")


def safe_next(request: HttpRequest) -> str:
    """The ?next= of the request when it stays on this site, else ''."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return url if url and allowed else ""


class SignInView(auth_views.LoginView):
    form_class = forms.SignInForm
    template_name = "portal/accounts/login.html"

    def get_default_redirect_url(self) -> str:
        # Asked once the user is signed in (just now, or already when the page opens).
        return default_destination(cast(User, self.request.user))


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET)."""

    next_page = "home"

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.info(request, _("You are signed out."))
        return response


@sensitive_post_parameters("password1", "password2")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.method == "POST" and not throttle.signup_allowed(request):
        return _signup_paused(request)
    form = forms.SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = form.save()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            login(request, user, backend=BACKEND)
            messages.success(request, _("Your account is ready."))
            if user.email:
                target = reverse("portal:verify-email-sent")
                query = f"?{urlencode({'next': next_url})}" if next_url else ""
                return redirect(target + query)
            return redirect(next_url or default_destination(user))
    return render(request, "portal/accounts/signup.html", {"form": form, "next": next_url})


def _signup_paused(request: HttpRequest) -> HttpResponse:
    """Too many sign-ups from this connection: nothing is checked or created."""
    response = render(
        request,
        "portal/accounts/signup_paused.html",
        {"minutes": math.ceil(throttle.WINDOW.total_seconds() / 60)},
        status=429,
    )
    response["Retry-After"] = str(int(throttle.WINDOW.total_seconds()))
    return response


@login_required(login_url="portal:login")
@never_cache
def verify_email_sent(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "portal/accounts/verify_email_sent.html",
        {
            "next": safe_next(request) or default_destination(user),
            "resend_wait": services.resend_wait(user),
            "resend_next": request.get_full_path(),
        },
    )


@never_cache
@require_http_methods(["GET"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the verification email: valid once the email still matches."""
    try:
        user = services.account_verify_email(token=token)
    except services.VerificationLinkError as error:
        expired = isinstance(error, services.VerificationLinkExpiredError)
        context = {
            "state": "expired" if expired else "invalid",
            "resend_wait": (
                services.resend_wait(request.user) if request.user.is_authenticated else 0
            ),
        }
        return render(request, "portal/accounts/verify_email.html", context, status=400)
    same_person = request.user.is_authenticated and request.user.pk == user.pk
    return render(
        request,
        "portal/accounts/verify_email.html",
        {"state": "verified", "signed_in": same_person},
    )


@login_required(login_url="portal:login")
@require_POST
def verify_email_resend(request: AuthenticatedHttpRequest) -> HttpResponse:
    try:
        sent = services.account_request_email_verification(
            user=request.user, language=get_language()
        )
    except services.ResendTooSoonError as wait:
        messages.warning(
            request,
            _("A link was sent moments ago. You can ask again in %(seconds)s seconds.")
            % {"seconds": wait.seconds_left},
        )
    else:
        if sent:
            messages.success(
                request, _("We sent a new link to %(email)s.") % {"email": request.user.email}
            )
        else:
            messages.info(request, _("There is no email address to confirm."))
    return redirect(safe_next(request) or "portal:profile")


@login_required(login_url="portal:login")
@never_cache
@require_http_methods(["GET", "POST"])
def profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = forms.ProfileForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        old_email = user.email
        try:
            saved = form.save()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, _("Your details are saved."))
            if saved.email and saved.email.lower() != old_email.lower():
                messages.info(
                    request,
                    _("We sent a link to %(email)s: open it to confirm the new address.")
                    % {"email": saved.email},
                )
            return redirect("portal:profile")
    return render(
        request,
        "portal/accounts/profile.html",
        {"form": form, "account": user, "resend_wait": services.resend_wait(user)},
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "portal/accounts/password_change.html"
    success_url = reverse_lazy("portal:profile")

    def form_valid(self, form: auth_forms.PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password is changed."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "portal/accounts/password_reset.html"
    success_url = reverse_lazy("portal:password-reset-done")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "portal/accounts/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password-reset-complete")

    def form_valid(self, form: "auth_forms.SetPasswordForm[User]") -> HttpResponse:
        response = super().form_valid(form)
        # Whoever holds the mailed link may sign in again at once, even after a lockout.
        axes_reset(username=form.user.username)
        return response


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """django-axes' lockout response (AXES_LOCKOUT_CALLABLE): our page, with the wait."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "portal/accounts/locked_out.html",
        {"minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT},
        status=429,
    )


@login_required(login_url="portal:login")
def workspace(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The header's "Workspace": an officer's own working page (counter, inbox,
    indicators), the admin for administrators, "my dossiers" for a citizen."""
    return redirect(default_destination(request.user))


class AdminSignInView(auth_views.LoginView):
    """/admin/login/, where the README sends officers: the admin's own page, but whoever
    signs in lands on their work (an officer without the staff flag, a citizen) instead of
    "this account is not a staff account"; staff keep the admin's ?next=."""

    form_class = forms.SignInForm
    template_name = "admin/login.html"

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from django.contrib import admin

        return {
            **admin.site.each_context(self.request),
            "title": _("Log in"),
            "subtitle": None,
            "app_path": self.request.get_full_path(),
            "username": self.request.user.get_username(),
            **super().get_context_data(**kwargs),
        }

    def get_success_url(self) -> str:
        user = cast(User, self.request.user)  # form_valid() has signed them in
        if user.is_staff and safe_next(self.request):
            return super().get_success_url()
        return default_destination(user)
