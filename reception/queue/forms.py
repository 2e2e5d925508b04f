from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy

from dossiers.models import Evaluation
from dossiers.services.evaluations import CRITERIA, CRITERION_POINTS
from portal.models import User
from procedures.models import ReceptionPoint
from reception.queue import selectors


class CounterChoiceForm(forms.Form):
    """Where the officer works today: remembered in the session."""

    point = forms.ModelChoiceField(
        label=gettext_lazy("Reception point"), queryset=ReceptionPoint.objects.none()
    )
    counter = forms.IntegerField(label=gettext_lazy("Counter number"), min_value=1)

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["point"]).queryset = selectors.points_served_by(
            user
        ).order_by("name")

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        point, counter = data.get("point"), data.get("counter")
        if point is not None and counter is not None and counter > point.counters:
            self.add_error(
                "counter",
                gettext_lazy("This reception point has counters 1 to %(count)s.")
                % {"count": point.counters},
            )
        return data


CRITERION_CHOICES = [
    (2, gettext_lazy("Good")),
    (1, gettext_lazy("Fair")),
    (0, gettext_lazy("Poor")),
]


class EvaluationForm(forms.Form):
    """The kiosk's form: the overall rating comes from the button pressed; the nine
    criteria are optional."""

    dossier = forms.UUIDField(widget=forms.HiddenInput)
    rating = forms.ChoiceField(choices=Evaluation.Rating.choices)
    comment = forms.CharField(
        label=gettext_lazy("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in CRITERIA.items():
            self.fields[f"criterion_{key}"] = forms.TypedChoiceField(
                label=label,
                choices=CRITERION_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    def criteria(self) -> dict[str, int]:
        found = {key: self.cleaned_data.get(f"criterion_{key}") for key in CRITERIA}
        return {key: points for key, points in found.items() if points in CRITERION_POINTS}

    def criterion_fields(self) -> list[forms.BoundField]:
        return [self[f"criterion_{key}"] for key in CRITERIA]
