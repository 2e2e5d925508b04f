"""Waiting and serving times of the queue over a period, per day and reception point, for
the points' officers and their managers; as a page and as CSV."""

from datetime import date, timedelta
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from portal.http import AuthenticatedHttpRequest
from portal.spreadsheets import CSV_START, CsvWriter
from procedures.models import ReceptionPoint
from reception.queue import selectors
from reception.queue.views import minutes

LONGEST = timedelta(days=366)


class ReportForm(forms.Form):
    point: "forms.ModelChoiceField[ReceptionPoint]" = forms.ModelChoiceField(
        queryset=None, label=gettext_lazy("Reception point"), required=False
    )
    start = forms.DateField(
        label=gettext_lazy("First day"), widget=forms.DateInput({"type": "date"})
    )
    end = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput({"type": "date"}))

    def __init__(self, *args, points, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["point"]).queryset = points
        cast(forms.ModelChoiceField, self.fields["point"]).empty_label = gettext_lazy(
            "All my reception points"
        )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                self.add_error("end", gettext_lazy("The last day comes before the first."))
            elif end - start > LONGEST:
                self.add_error("end", gettext_lazy("Choose a period of at most a year."))
        return data


def _times(f: selectors.QueueFigures) -> list[tuple[str, str]]:
    return [
        (_("Average wait (min:s)"), minutes(f.waiting_average)),
        (_("9 in 10 waited at most (min:s)"), minutes(f.waiting_p90)),
        (_("Average service (min:s)"), minutes(f.serving_average)),
        (_("9 in 10 served within (min:s)"), minutes(f.serving_p90)),
    ]


def _minutes(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds / 60:.1f}"


@login_required
@require_GET
def report(request: AuthenticatedHttpRequest) -> HttpResponse:
    points = selectors.report_points(request.user)
    if not points.exists():
        raise PermissionDenied(_("Queue figures are for reception officers and managers."))
    today = timezone.localdate()
    initial = {"start": today.replace(day=1), "end": today}
    form = ReportForm(request.GET or initial, points=points)
    figures, names = [], {p.pk: p.name for p in points}
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        figures = selectors.queue_figures(
            user=request.user,
            start=data["start"],
            end=data["end"],
            reception_point_id=data["point"].pk if data["point"] else None,
        )
        if request.GET.get("format") == "csv":
            return _csv(figures, names, data["start"], data["end"])
    elif request.GET:
        status = 400
    return render(
        request,
        "reception/queue/report.html",
        {
            "form": form,
            "rows": [
                {
                    "figures": f,
                    "point": names.get(f.reception_point_id, ""),
                    "times": _times(f),
                }
                for f in figures
            ],
        },
        status=status,
    )


def _csv(figures, names: dict[int, str], start: date, end: date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hang-cho-{start}-{end}.csv"'
    response.write(CSV_START)
    writer = CsvWriter(response)
    writer.writerow(
        [
            _("Day"),
            _("Reception point"),
            _("Numbers taken"),
            _("Called"),
            _("Served"),
            _("Skipped"),
            _("Average wait (min)"),
            _("9 in 10 waited at most (min)"),
            _("Average service (min)"),
            _("9 in 10 served within (min)"),
        ]
    )
    for f in figures:
        writer.writerow(
            [
                f.day.isoformat(),
                names.get(f.reception_point_id, ""),
                f.issued,
                f.called,
                f.served,
                f.skipped,
                _minutes(f.waiting_average),
                _minutes(f.waiting_p90),
                _minutes(f.serving_average),
                _minutes(f.serving_p90),
            ]
        )
    return response
