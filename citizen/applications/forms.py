"""The application form. It keeps what the citizen typed whatever else goes wrong, and
says next to each field, in plain words, what to fix."""

from typing import cast

import magic
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext, gettext_lazy

from citizen.applications.selectors import Paper, Place, delivery_choices
from citizen.applications.services import DETAILS, REQUIRED_DETAILS, component_field
from dossiers.models import ResultDelivery
from dossiers.services.attachments import EXTENSIONS, SNIFF_BYTES
from portal.identity import normalise_phone, validate_citizen_id, validate_phone
from procedures.models import Procedure

DELIVERY_LABELS = {
    ResultDelivery.COUNTER: gettext_lazy("At the reception point where I file"),
    ResultDelivery.POSTAL: gettext_lazy("By post, to the address I give below"),
    ResultDelivery.ONLINE: gettext_lazy("Online: I download the electronic result"),
}
ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


def refusal(upload: UploadedFile, error: ValidationError) -> str:
    """Why a file was refused, in the citizen's words. dossiers.services.attachments
    decides whether a file is accepted; this only says why it was not."""
    size = upload.size or 0
    if size == 0:
        return gettext("The file is empty. Choose the scan or photo of the paper again.")
    if size > settings.ATTACHMENT_MAX_BYTES:
        return gettext("The file is larger than %(limit)s. Scan it at a lower resolution.") % {
            "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES)
        }
    upload.seek(0)
    content_type = magic.from_buffer(upload.read(SNIFF_BYTES), mime=True)
    upload.seek(0)
    kind = settings.ATTACHMENT_TYPES.get(content_type)
    if kind is None:
        return gettext("This kind of file is not accepted: send a PDF, JPEG or PNG file.")
    extension = (upload.name or "").rsplit(".", 1)[-1].lower()
    if EXTENSIONS.get(extension, kind) != kind:
        return gettext(
            "The file name ends in .%(extension)s but the file is a %(kind)s. "
            "Choose the right file or rename it."
        ) % {"extension": extension, "kind": kind.upper()}
    return " ".join(error.messages)


class ApplicationForm(forms.Form):
    """Đơn đăng ký trực tuyến: the applicant's details, where the result goes, one file per
    paper; a new application also says where it is filed. A draft may be incomplete;
    sending it (`sending=True`) needs every required detail."""

    place = forms.ChoiceField(label=gettext_lazy("Reception point"), required=False)
    applicant_name = forms.CharField(
        label=gettext_lazy("Full name"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    applicant_citizen_id = forms.CharField(
        label=gettext_lazy("Citizen ID number"),
        max_length=12,
        required=False,
        help_text=gettext_lazy("12 digits, on your chip-based citizen ID card."),
        validators=[validate_citizen_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        required=False,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    applicant_email = forms.EmailField(
        label=gettext_lazy("Email"),
        # The column's length: Django's EmailField accepts up to 320 characters.
        max_length=254,
        required=False,
        help_text=gettext_lazy("Optional: we e-mail you when your dossier moves on."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    applicant_address = forms.CharField(
        label=gettext_lazy("Permanent address"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    result_delivery = forms.ChoiceField(
        label=gettext_lazy("How do you want to receive the result?"),
        required=False,
        widget=forms.RadioSelect,
    )
    delivery_address = forms.CharField(
        label=gettext_lazy("Address to send the result to"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("Only for delivery by post."),
    )

    def __init__(
        self,
        *args,
        procedure: Procedure,
        papers: list[Paper],
        places: list[Place] | None = None,
        sending: bool = False,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.sending = sending
        self.places = {place.key: place for place in places or []}
        if len(self.places) > 1:
            self.fields["place"].required = True
            self.fields["place"].error_messages["required"] = gettext_lazy("Choose where you file.")
            cast(forms.ChoiceField, self.fields["place"]).choices = [
                ("", gettext_lazy("Choose a reception point")),
                *((key, str(place)) for key, place in self.places.items()),
            ]
        else:
            del self.fields["place"]
        cast(forms.ChoiceField, self.fields["result_delivery"]).choices = [
            (value, DELIVERY_LABELS[value]) for value in delivery_choices(procedure)
        ]
        if ResultDelivery.POSTAL not in delivery_choices(procedure):
            del self.fields["delivery_address"]
        self.papers = papers
        for paper in papers:
            self.fields[component_field(paper.component.pk)] = forms.FileField(
                label=paper.component.name,
                required=False,
                # dossiers.services.attachments judges the file, empty ones included.
                allow_empty_file=True,
                widget=forms.FileInput(attrs={"accept": ACCEPT}),
            )

    def paper_rows(self) -> list[tuple[Paper, forms.BoundField]]:
        return [(paper, self[component_field(paper.component.pk)]) for paper in self.papers]

    def clean_applicant_citizen_id(self) -> str:
        return self.cleaned_data["applicant_citizen_id"].strip()

    def clean_applicant_phone(self) -> str:
        return normalise_phone(self.cleaned_data["applicant_phone"])

    def clean_place(self) -> Place | None:
        return self.places.get(self.cleaned_data["place"])

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if not self.sending:
            return data
        for name in REQUIRED_DETAILS:
            if name in data and not data[name]:
                self.add_error(name, gettext_lazy("Required to send the application."))
        if (
            data.get("result_delivery") == ResultDelivery.POSTAL
            and not data.get("delivery_address", "").strip()
        ):
            self.add_error(
                "delivery_address", gettext_lazy("Give the address to send the result to.")
            )
        return data

    def chosen_place(self) -> Place | None:
        """Where a new application is filed: the only place, or the one chosen."""
        if len(self.places) == 1:
            return next(iter(self.places.values()))
        return getattr(self, "cleaned_data", {}).get("place")

    def details(self) -> dict:
        """The valid details typed in: a field with an error keeps its stored value."""
        details = {name: self.cleaned_data[name] for name in DETAILS if name in self.cleaned_data}
        if not details.get("result_delivery"):
            details.pop("result_delivery", None)
        return details

    def uploads(self) -> dict[int, UploadedFile]:
        return {
            paper.component.pk: cast(UploadedFile, self.files[component_field(paper.component.pk)])
            for paper in self.papers
            if component_field(paper.component.pk) in self.files
        }
