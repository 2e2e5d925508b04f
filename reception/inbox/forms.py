"""Forms of the processing inbox. Each action form carries the version of the dossier the
officer saw, so that a change made meanwhile by someone else is refused, not overwritten."""

from datetime import date
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dossiers.models import MAX_VND, Dossier, Status
from dossiers.services.attachments import check_upload
from dossiers.services.common import calendar_of
from portal.models import User
from portal.service_errors import ServiceValidationError
from procedures.models import Agency, Procedure
from reception.inbox import selectors
from reception.inbox.selectors import Holder, InboxFilters, Tray

REASON_ROWS = 3


class InboxFilterForm(forms.Form):
    tray = forms.ChoiceField(choices=Tray.choices, required=False, widget=forms.HiddenInput)
    holder = forms.ChoiceField(label=_("Assigned"), choices=Holder.choices, required=False)
    status = forms.ChoiceField(label=_("State"), required=False)
    procedure: "forms.ModelChoiceField[Procedure]" = forms.ModelChoiceField(
        label=_("Procedure"), queryset=None, required=False, empty_label=_("All procedures")
    )
    code = forms.CharField(label=_("Dossier code"), max_length=48, required=False, strip=True)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["procedure"]
        ).queryset = selectors.inbox_procedures(user=user)
        asked = self.data.get("tray")
        tray = cast(str, asked) if asked in Tray.values else Tray.ACTIVE
        labels = dict(Status.choices)
        cast(forms.ChoiceField, self.fields["status"]).choices = [("", _("All states"))] + [
            (status, labels[status]) for status in selectors.TRAY_STATES[tray]
        ]

    def filters(self) -> InboxFilters:
        """What was asked; a value that is not valid counts as not given."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        procedure = data.get("procedure")
        return InboxFilters(
            tray=data.get("tray") or Tray.ACTIVE,
            holder=data.get("holder") or Holder.ALL,
            status=data.get("status") or "",
            procedure_id=procedure.pk if procedure else None,
            code=data.get("code") or "",
        )


class ActionForm(forms.Form):
    """An action on one dossier as it was at `version`."""

    version = forms.IntegerField(
        min_value=1,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("The form lost the dossier's version: reload the page."),
            "invalid": _("The form lost the dossier's version: reload the page."),
        },
    )
    # A service's ValidationError names its own argument; this maps it to the field.
    service_fields: dict[str, str] = {}

    def __init__(self, *args: Any, dossier: Dossier, user: User, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})["version"] = dossier.version
        super().__init__(*args, **kwargs)
        self.dossier, self.user = dossier, user

    def add_service_error(self, error: ValidationError) -> None:
        """Show what the service refused next to the field it concerns."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            field = self.service_fields.get(name, name)
            self.add_error(field if field in self.fields else None, messages)


class AssignForm(ActionForm):
    assignee: "forms.ModelChoiceField[User]" = forms.ModelChoiceField(
        label=_("Officer"), queryset=None, required=False, empty_label=_("Nobody (unassigned)")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignee"]).queryset = selectors.agency_officers(
            self.dossier
        )
        self.fields["assignee"].initial = self.dossier.assigned_to_id


class HandOverForm(ActionForm):
    to_label = forms.CharField(
        label=_("Hand over to"),
        max_length=300,
        required=False,
        help_text=_("The department, officer or step that takes the dossier over."),
    )
    to_agency: "forms.ModelChoiceField[Agency]" = forms.ModelChoiceField(
        label=_("Or to another agency (inter-agency processing)"),
        queryset=None,
        required=False,
        empty_label=_("No, within this agency"),
    )
    note = forms.CharField(
        label=_("Note (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    service_fields = {"to_label": "to_label"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(
            forms.ModelChoiceField, self.fields["to_agency"]
        ).queryset = selectors.hand_over_agencies(self.dossier)
        step = selectors.next_step(self.dossier)
        if step:
            self.fields["to_label"].initial = step.get("responsible") or step["name"]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not data.get("to_label") and data.get("to_agency"):
            data["to_label"] = str(data["to_agency"])
        if not data.get("to_label") and "to_label" not in self.errors:
            self.add_error("to_label", _("Say who takes the dossier over."))
        return data


class SupplementRequestForm(ActionForm):
    items = forms.CharField(
        label=_("Papers to supplement, one per line"),
        widget=forms.Textarea(attrs={"rows": REASON_ROWS}),
        error_messages={"required": _("Name at least one paper to supplement.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": REASON_ROWS}),
        error_messages={"required": _("Give the reason.")},
    )

    def clean_items(self) -> list[str]:
        items = [line.strip() for line in self.cleaned_data["items"].splitlines()]
        items = [item for item in items if item]
        if not items:
            raise ValidationError(_("Name at least one paper to supplement."))
        return items


class FinancialObligationForm(ActionForm):
    reason = forms.CharField(
        label=_("Obligation (tax, levy…)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason.")},
    )
    amount = forms.IntegerField(
        label=_("Amount (VND, optional)"), min_value=0, max_value=MAX_VND, required=False
    )


class ApologyForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason for the delay"),
        widget=forms.Textarea(attrs={"rows": REASON_ROWS}),
        error_messages={"required": _("Give the reason.")},
    )
    new_due_date = forms.DateField(
        label=_("New date promised"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Choose the new date.")},
    )
    service_fields = {"new_due_at": "new_due_date"}

    def clean_new_due_date(self) -> date:
        day = self.cleaned_data["new_due_date"]
        calendar = calendar_of(self.dossier)
        if not calendar.is_working_day(day):
            raise ValidationError(_("Choose a working day."))
        # The result is promised for the closing time of that day.
        new_due_at = calendar.closing_time(day)
        if self.dossier.due_at is None or new_due_at <= self.dossier.due_at:
            raise ValidationError(_("Choose a date after the current due date."))
        self.cleaned_data["new_due_at"] = new_due_at
        return day


class StopForm(ActionForm):
    reason = forms.CharField(
        label=_("Reasons for stopping, as written to the applicant"),
        widget=forms.Textarea(attrs={"rows": REASON_ROWS}),
        error_messages={"required": _("Give the reasons.")},
    )


class ResultForm(ActionForm):
    file = forms.FileField(
        label=_("Electronic result (PDF, JPEG or PNG)"),
        error_messages={
            "required": _("Choose the file of the signed result."),
            "empty": _("The file is empty."),
        },
    )
    service_fields = {"file": "file"}

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        try:
            check_upload(upload)
        except ServiceValidationError as refused:
            raise refused.for_field() from None
        return upload
