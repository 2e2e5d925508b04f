import calendar
from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from procedures.models import Sector
from reporting.indicators import Period

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

FIRST_YEAR = 2015


class PeriodForm(forms.Form):
    """A month, a quarter or a year, and an optional sector."""

    year = forms.IntegerField(label=_("Year"), min_value=FIRST_YEAR, required=False)
    quarter = forms.TypedChoiceField(
        label=_("Quarter"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Whole year"))] + [(q, _("Quarter %(q)s") % {"q": q}) for q in range(1, 5)],
    )
    month = forms.TypedChoiceField(
        label=_("Month"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All months"))] + [(m, _("Month %(m)s") % {"m": m}) for m in range(1, 13)],
    )
    sector = forms.ModelChoiceField(
        label=_("Sector"),
        required=False,
        queryset=Sector.objects.order_by("code"),
        to_field_name="code",
        empty_label=_("All sectors"),
    )

    def clean_year(self) -> int:
        year = self.cleaned_data.get("year") or timezone.localdate().year
        if year > timezone.localdate().year:
            raise forms.ValidationError(_("The year has not begun yet."))
        return year

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        if data.get("quarter") and data.get("month"):
            raise forms.ValidationError(_("Choose a quarter or a month, not both."))
        return data

    def period(self) -> Period:
        data = self.cleaned_data if self.is_valid() else {}
        year = data.get("year") or timezone.localdate().year
        if data.get("month"):
            month = data["month"]
            return Period(
                date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
            )
        if data.get("quarter"):
            first = 3 * data["quarter"] - 2
            last = first + 2
            return Period(
                date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
            )
        return Period(date(year, 1, 1), date(year, 12, 31))

    def chosen_sector(self) -> Sector | None:
        return self.cleaned_data.get("sector") if self.is_valid() else None


class TargetsForm(forms.Form):
    """One optional percentage per rate."""

    def __init__(
        self, *args: Any, labels: "Mapping[str, StrOrPromise]", initial_values: dict, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name, label in labels.items():
            self.fields[name] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_value=100,
                decimal_places=2,
                initial=initial_values.get(name),
            )
