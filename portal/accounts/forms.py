"""Account forms: they check what was typed; portal.accounts.services writes."""

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy

from portal import audit
from portal.accounts import services
from portal.auth_backends import canonical_phone
from portal.identity import validate_citizen_id, validate_phone
from portal.models import User

PASSWORD_HELP = gettext_lazy(
    "At least 8 characters, not only digits, not a common password and not like your name."
)
NEW_PASSWORD = {"autocomplete": "new-password"}


def _text(autocomplete: str, **attrs: str) -> forms.TextInput:
    return forms.TextInput(attrs={"autocomplete": autocomplete, **attrs})


class AccountDetailsForm(forms.Form):
    """Who the person is and how to reach them: at least an email or a phone number."""

    full_name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=200,
        widget=_text("name"),
        error_messages={"required": gettext_lazy("Enter your full name.")},
    )
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        required=False,
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("We send a link to this address to confirm it is yours."),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone number"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=gettext_lazy("10 digits starting with 0, e.g. 0912 345 678."),
    )
    citizen_id = forms.CharField(
        label=gettext_lazy("Citizen ID number"),
        required=False,
        max_length=20,
        widget=_text("off", inputmode="numeric"),
        help_text=gettext_lazy("Optional. 12 digits, on the chip-based citizen ID card."),
    )

    def clean_full_name(self) -> str:
        return " ".join(self.cleaned_data["full_name"].split())

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        return User.objects.normalize_email(email) if email else ""

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if not phone:
            return ""
        validate_phone(phone)
        return canonical_phone(phone)

    def clean_citizen_id(self) -> str:
        citizen_id = "".join(self.cleaned_data["citizen_id"].split())
        if citizen_id:
            validate_citizen_id(citizen_id)
        return citizen_id

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if (
            not cleaned.get("email")
            and not cleaned.get("phone")
            and "email" not in self.errors
            and "phone" not in self.errors
        ):
            self.add_error("email", gettext_lazy("Enter an email address, a phone number or both."))
        return cleaned

    def add_service_errors(self, error: ValidationError) -> None:
        """Show a service's refusal (an email already taken…) next to its field."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for field, errors in error.error_dict.items():
            self.add_error(field if field in self.fields else None, errors)


class SignUpForm(AccountDetailsForm):
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs=NEW_PASSWORD),
        help_text=PASSWORD_HELP,
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs=NEW_PASSWORD),
    )

    field_order = ["full_name", "email", "phone", "password1", "password2", "citizen_id"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        password = cleaned.get("password1")
        if password and cleaned.get("password2") and password != cleaned["password2"]:
            self.add_error("password2", gettext_lazy("The two passwords are not the same."))
        if password:
            person = User(
                full_name=cleaned.get("full_name", ""),
                email=cleaned.get("email", ""),
                phone=cleaned.get("phone", ""),
            )
            try:
                validate_password(password, user=person)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self) -> User:
        data = self.cleaned_data
        return services.account_sign_up(
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            citizen_id=data["citizen_id"],
            password=data["password1"],
            language=get_language(),
        )


class ProfileForm(AccountDetailsForm):
    def __init__(self, data: Mapping[str, Any] | None = None, *, user: User, **kwargs: Any) -> None:
        initial = {
            "full_name": user.full_name,
            "email": user.email,
            "phone": user.phone,
            "citizen_id": user.citizen_id,
        }
        super().__init__(data, initial=initial, **kwargs)
        self.user = user
        self.fields["email"].help_text = gettext_lazy(
            "If you change it, we send a link to the new address to confirm it."
        )

    def save(self) -> User:
        data = self.cleaned_data
        return services.account_update_profile(
            user=self.user,
            full_name=data["full_name"],
            email=data["email"],
            phone=data["phone"],
            citizen_id=data["citizen_id"],
            language=get_language(),
        )


class SignInForm(auth_forms.AuthenticationForm):
    """Email, phone number or username and password; authenticate() receives the request,
    so django-axes counts every failure."""

    username = forms.CharField(
        label=gettext_lazy("Email, phone number or username"),
        max_length=254,
        widget=_text("username", autocapitalize="none", spellcheck="false"),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": gettext_lazy(
            "The sign-in details are not right. Check your email, phone number or username "
            "and your password."
        ),
        "inactive": gettext_lazy("This account is disabled. Contact the one-stop shop."),
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # AuthenticationForm limits the field to the username's 150 characters.
        cast(forms.CharField, self.fields["username"]).max_length = 254
        self.fields["username"].widget.attrs["maxlength"] = "254"

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()
        except ValidationError:
            # The reason concerns both fields: each is marked invalid and points at it.
            for name in ("username", "password"):
                self.fields[name].widget.attrs.update(
                    {"aria-invalid": "true", "aria-describedby": "sign-in-error"}
                )
            raise


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label=gettext_lazy("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        help_text=gettext_lazy("The email address of your account."),
    )

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Mail through the retried task instead of Django's synchronous send."""
        services.account_password_reset_request(
            email=self.cleaned_data["email"], language=get_language()
        )


class SetPasswordForm(auth_forms.SetPasswordForm):
    """A new password from the mailed reset link, which also proves the email is theirs."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].help_text = PASSWORD_HELP
        self.fields["new_password2"].label = gettext_lazy("New password again")
        self.fields["new_password1"].label = gettext_lazy("New password")

    @transaction.atomic
    def save(self, commit: bool = True) -> User:
        user = super().save(commit=False)
        if user.email_verified_at is None and user.email:
            user.email_verified_at = timezone.now()
        user.save()
        audit.record(actor=user, event="portal.password_reset", target=user)
        return user


class PasswordChangeForm(SetPasswordForm, auth_forms.PasswordChangeForm):
    field_order = ["old_password", "new_password1", "new_password2"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["old_password"].label = gettext_lazy("Current password")
        self.fields["old_password"].widget.attrs.pop("autofocus", None)

    @transaction.atomic
    def save(self, commit: bool = True) -> User:
        user = auth_forms.SetPasswordForm.save(self, commit=True)
        audit.record(actor=user, event="portal.password_changed", target=user)
        return user
