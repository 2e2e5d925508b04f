"""The counter's forms. Every message names the field and the reason, and a form that
fails keeps what the officer typed."""

from typing import cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy

from dossiers.models import MAX_VND, ResultDelivery
from dossiers.services.attachments import check_upload
from portal.identity import normalise_phone, validate_citizen_id, validate_phone
from procedures.models import Agency, CopyType, Procedure, ReceptionPoint
from reception.counter.kept import KeptScan

RECEIVE, GUIDE, REFUSE = "receive", "guide", "refuse"
OUTCOMES = (
    (RECEIVE, gettext_lazy("Receive (form 01)")),
    (GUIDE, gettext_lazy("Ask to complete (form 02)")),
    (REFUSE, gettext_lazy("Refuse (form 03)")),
)


def upload_error(upload) -> str | None:
    """Why an upload is refused, in the words of the attachment rules, or None."""
    try:
        check_upload(upload)
    except ValidationError as error:
        return " ".join(error.message_dict.get("file", error.messages))
    return None


class ApplicantFields(forms.Form):
    applicant_name = forms.CharField(label=gettext_lazy("Full name"), max_length=200)
    applicant_citizen_id = forms.CharField(
        label=gettext_lazy("Citizen ID number"),
        max_length=12,
        help_text=gettext_lazy("12 digits, on the chip-based citizen ID card."),
        validators=[validate_citizen_id],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    applicant_phone = forms.CharField(
        label=gettext_lazy("Phone"),
        max_length=20,
        validators=[validate_phone],
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    applicant_email = forms.EmailField(label=gettext_lazy("Email"), required=False, max_length=254)
    applicant_address = forms.CharField(label=gettext_lazy("Address"), max_length=300)

    def clean_applicant_citizen_id(self) -> str:
        return self.cleaned_data["applicant_citizen_id"].strip()

    def clean_applicant_phone(self) -> str:
        return normalise_phone(self.cleaned_data["applicant_phone"])


class IntakeForm(ApplicantFields):
    """Tiếp nhận trực tiếp: one paper dossier at the counter, for one procedure."""

    kept: dict[int, KeptScan]  # set by the view once scans of a refused attempt are kept

    agency: "forms.ModelChoiceField[Agency]" = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Settled by")
    )
    filled_by_officer = forms.BooleanField(
        label=gettext_lazy("Filled in by the officer (the applicant cannot write)"),
        required=False,
    )
    sets_count = forms.IntegerField(
        label=gettext_lazy("Number of sets"), min_value=1, max_value=99, initial=1
    )
    result_delivery = forms.ChoiceField(
        label=gettext_lazy("Result delivered"),
        choices=[
            (ResultDelivery.COUNTER, gettext_lazy("At this counter")),
            (ResultDelivery.POSTAL, gettext_lazy("By post, to the address below")),
        ],
        initial=ResultDelivery.COUNTER,
        widget=forms.RadioSelect,
    )
    delivery_address = forms.CharField(
        label=gettext_lazy("Delivery address"), max_length=300, required=False
    )
    fee_amount = forms.IntegerField(
        label=gettext_lazy("Fees (VND)"), min_value=0, max_value=MAX_VND, initial=0
    )
    fee_collected = forms.BooleanField(label=gettext_lazy("Fees collected"), required=False)
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.HiddenInput, initial=RECEIVE)
    items = forms.CharField(
        label=gettext_lazy("Papers to add or correct (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, point: ReceptionPoint, procedure: Procedure, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.procedure = procedure
        agencies = point.agencies.filter(pk__in=procedure.agencies.values("pk")).order_by("name")
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies
        if len(agencies) == 1:
            self.fields["agency"].initial = agencies[0].pk
            self.fields["agency"].widget = forms.HiddenInput()
        if not procedure.postal_return:
            delivery = cast(forms.ChoiceField, self.fields["result_delivery"])
            # Read back, choices are the normalised list; the stubs type the setter's input.
            delivery.choices = delivery.choices[:1]  # type: ignore[index,assignment]
        self.fields["fee_amount"].initial = sum(fee.amount for fee in procedure.fees.all())
        self.components = list(procedure.components.all())
        for component in self.components:
            key = component.pk
            self.fields[f"paper_{key}"] = forms.BooleanField(
                label=component.name, required=False, initial=False
            )
            self.fields[f"copy_{key}"] = forms.ChoiceField(
                label=gettext_lazy("Copy type"),
                choices=CopyType.choices,
                initial=component.copy_type,
            )
            self.fields[f"count_{key}"] = forms.IntegerField(
                label=gettext_lazy("Number"), min_value=1, max_value=99, initial=component.count
            )
            self.fields[f"file_{key}"] = forms.FileField(label=gettext_lazy("Scan"), required=False)

    def checklist(self) -> list[dict]:
        """The rows of the papers checklist, with their bound fields, for the template."""
        kept = getattr(self, "kept", {})
        return [
            {
                "component": c,
                "kept": kept.get(c.pk),
                "paper": self[f"paper_{c.pk}"],
                "copy": self[f"copy_{c.pk}"],
                "count": self[f"count_{c.pk}"],
                "file": self[f"file_{c.pk}"],
            }
            for c in self.components
        ]

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        outcome = data.get("outcome")
        for component in self.components:
            upload = data.get(f"file_{component.pk}")
            if upload is not None:
                reason = upload_error(upload)
                if reason:
                    self.add_error(f"file_{component.pk}", reason)
        if outcome == RECEIVE:
            for component in self.components:
                if component.required and not data.get(f"paper_{component.pk}"):
                    self.add_error(
                        f"paper_{component.pk}",
                        gettext_lazy("Required paper not handed in: ask to complete instead."),
                    )
            if (
                data.get("result_delivery") == ResultDelivery.POSTAL
                and not data.get("delivery_address", "").strip()
            ):
                self.add_error(
                    "delivery_address", gettext_lazy("Give the address to post the result to.")
                )
        elif outcome == GUIDE:
            if not self.requested_items():
                self.add_error("items", gettext_lazy("Name at least one paper to add or correct."))
            if not data.get("reason", "").strip():
                self.add_error("reason", gettext_lazy("Say why the dossier is not complete."))
        elif outcome == REFUSE and not data.get("reason", "").strip():
            self.add_error("reason", gettext_lazy("Say why the dossier is refused."))
        return data

    def requested_items(self) -> list[str]:
        text = self.cleaned_data.get("items", "") if hasattr(self, "cleaned_data") else ""
        return [line.strip() for line in text.splitlines() if line.strip()]

    def papers(self) -> list[dict]:
        """The papers ticked as handed in, as the dossier keeps them."""
        data = self.cleaned_data
        return [
            {
                "id": c.pk,
                "name": c.name,
                "copy_type": data[f"copy_{c.pk}"],
                "count": data[f"count_{c.pk}"],
            }
            for c in self.components
            if data.get(f"paper_{c.pk}")
        ]

    def scans(self) -> list[tuple[int, str, object]]:
        """(component id, copy type, upload) for each scanned paper."""
        data = self.cleaned_data
        return [
            (c.pk, data[f"copy_{c.pk}"], data[f"file_{c.pk}"])
            for c in self.components
            if data.get(f"file_{c.pk}") is not None
        ]


class DecisionForm(forms.Form):
    """The three outcomes for a dossier sent online or by post."""

    outcome = forms.ChoiceField(choices=OUTCOMES)
    version = forms.IntegerField(widget=forms.HiddenInput)
    items = forms.CharField(
        label=gettext_lazy("Papers to add or correct (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("outcome") == GUIDE and not self.requested_items():
            self.add_error("items", gettext_lazy("Name at least one paper to add or correct."))
        if data.get("outcome") in (GUIDE, REFUSE) and not data.get("reason", "").strip():
            self.add_error("reason", gettext_lazy("Give the reason the applicant will read."))
        return data

    def requested_items(self) -> list[str]:
        text = self.cleaned_data.get("items", "")
        return [line.strip() for line in text.splitlines() if line.strip()]


class ReturnForm(forms.Form):
    """Trả kết quả at the counter: the person collecting shows their ID."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    delivery = forms.ChoiceField(
        label=gettext_lazy("How the result leaves"),
        choices=[
            (ResultDelivery.COUNTER, gettext_lazy("Handed over at the counter")),
            (ResultDelivery.POSTAL, gettext_lazy("Handed to the postal partner")),
        ],
        initial=ResultDelivery.COUNTER,
        widget=forms.RadioSelect,
    )
    citizen_id = forms.CharField(
        label=gettext_lazy("Citizen ID of the person collecting"),
        max_length=12,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    authorised = forms.BooleanField(
        label=gettext_lazy("Collected by an authorised person (authorisation paper checked)"),
        required=False,
    )

    def __init__(self, *args, dossier, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.dossier = dossier

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("delivery") != ResultDelivery.COUNTER:
            return data
        typed = (data.get("citizen_id") or "").strip()
        on_record = self.dossier.applicant_citizen_id
        if not typed:
            self.add_error(
                "citizen_id", gettext_lazy("Type the ID number of the person collecting.")
            )
        elif not data.get("authorised") and on_record and typed != on_record:
            self.add_error(
                "citizen_id",
                gettext_lazy(
                    "This is not the applicant's ID number. Check the card, or tick the "
                    "authorisation box if someone collects on their behalf."
                ),
            )
        return data
