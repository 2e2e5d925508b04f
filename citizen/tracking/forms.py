from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy

from dossiers.models import Evaluation
from dossiers.services.attachments import check_upload
from portal.service_errors import ServiceValidationError
from reception.queue.forms import EvaluationForm

CODE_MAX_LENGTH = 48
SECRET_MAX_LENGTH = 32


class SecretInput(forms.TextInput):
    """Typed in clear (it is read off paper) but never written back into a page."""

    def format_value(self, value: Any) -> None:
        return None


class LookupForm(forms.Form):
    """Tra cứu hồ sơ: the code and lookup secret printed on the receipt (form 01); posted,
    the QR code's secret moved into the form by lookup.js."""

    code = forms.CharField(
        label=gettext_lazy("Dossier code"),
        help_text=gettext_lazy("As on your receipt, for example 000.00.16.H56-250915-0012."),
        max_length=CODE_MAX_LENGTH,
        error_messages={"required": gettext_lazy("Enter the dossier code.")},
        widget=forms.TextInput(
            attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
        ),
    )
    secret = forms.CharField(
        label=gettext_lazy("Lookup secret"),
        help_text=gettext_lazy(
            "The 8 characters after “Mã tra cứu” on your receipt. Receipts of the former "
            "system carry none: leave it empty."
        ),
        max_length=SECRET_MAX_LENGTH,
        required=False,
        error_messages={"required": gettext_lazy("Enter the lookup secret.")},
        widget=SecretInput(
            attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}
        ),
    )

    def clean_code(self) -> str:
        # Legacy codes are kept as printed (receipt_dossier also tries the upper case).
        return self.cleaned_data["code"].strip()

    def clean_secret(self) -> str:
        return self.cleaned_data["secret"].strip().upper()


class ReceiptForm(LookupForm):
    """The receipt's code and secret carried along in hidden fields of a POST form, never
    in the address of the page."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget = forms.HiddenInput()


class RatingForm(EvaluationForm):
    """Đánh giá sự hài lòng online (RULES.md §8): the kiosk's questions, with the overall
    rating as a radio group instead of the tablet's buttons."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        del self.fields["dossier"]  # the page's address names the dossier
        self.fields["rating"] = forms.ChoiceField(
            label=gettext_lazy("Overall, how satisfied are you with the service?"),
            choices=Evaluation.Rating.choices,
            widget=forms.RadioSelect,
            error_messages={"required": gettext_lazy("Choose one of the five answers.")},
        )
        self.order_fields(["rating"])


class SupplementUploadForm(forms.Form):
    """One file for one of the papers asked for; which paper of the procedure it is."""

    component = forms.TypedChoiceField(
        label=gettext_lazy("Which paper is it?"),
        coerce=int,
        error_messages={"required": gettext_lazy("Choose which paper this file is.")},
    )
    file = forms.FileField(
        label=gettext_lazy("File (PDF, JPEG or PNG)"),
        error_messages={
            "required": gettext_lazy("Choose the file to send."),
            "empty": gettext_lazy("The file is empty."),
        },
    )

    def __init__(
        self, *args: Any, components: list[dict[str, Any]], item: str = "", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["component"])
        field.choices = [(component["id"], component["name"]) for component in components]
        asked = item.strip().casefold()
        for component in components:
            if asked and component["name"].strip().casefold() == asked:
                field.initial = component["id"]

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except ServiceValidationError as refused:
            raise refused.for_field() from None
        return upload


class VersionForm(forms.Form):
    """An action on the dossier as the citizen saw it."""

    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
