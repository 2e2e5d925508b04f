"""The register's query: a reception point and a period (?point=&from=YYYY-MM-DD&to=)."""

from datetime import date, timedelta
from typing import cast

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy

from procedures.models import ReceptionPoint

LONGEST_PERIOD = timedelta(days=366)


class RegisterForm(forms.Form):
    point = forms.ModelChoiceField(
        label=gettext_lazy("Reception point"), queryset=ReceptionPoint.objects.none()
    )
    start = forms.DateField(label=gettext_lazy("First day"), input_formats=["%Y-%m-%d"])
    end = forms.DateField(label=gettext_lazy("Last day"), input_formats=["%Y-%m-%d"])

    def __init__(
        self, query: QueryDict, *, points: QuerySet[ReceptionPoint], bound: bool = True
    ) -> None:
        """`from` and `to` are the query's names; a missing value means the officer's
        only reception point, and the month so far."""
        today = timezone.localdate()
        only_point = points.first() if points.count() == 1 else None
        data = {
            "point": query.get("point") or (only_point.pk if only_point else ""),
            "start": query.get("from") or f"{today.replace(day=1):%Y-%m-%d}",
            "end": query.get("to") or f"{today:%Y-%m-%d}",
        }
        if bound:
            super().__init__(data)
        else:
            super().__init__(initial=data)
        cast(forms.ModelChoiceField, self.fields["point"]).queryset = points

    def clean(self) -> dict[str, object]:
        super().clean()
        cleaned = self.cleaned_data
        start: date | None = cleaned.get("start")
        end: date | None = cleaned.get("end")
        if start and end:
            if end < start:
                self.add_error("end", gettext_lazy("The end of the period is before its start."))
            elif end - start >= LONGEST_PERIOD:
                self.add_error("end", gettext_lazy("Choose a period of at most one year."))
        return cleaned
