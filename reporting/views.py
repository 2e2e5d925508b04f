"""Managers' dashboards: indicators of a unit with drill-down to the units below, the
months, the overdue dossiers and each dossier; exports of every table."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from dossiers.selectors import dossier_timeliness, dossiers_visible_to
from portal.http import AuthenticatedHttpRequest
from procedures.models import AdministrativeUnit
from reporting import charts, exports, selectors, services
from reporting.figures_cache import cached_figures
from reporting.forms import PeriodForm, TargetsForm
from reporting.indicators import RATES, Scope
from reporting.models import Target
from reporting.officers import officer_satisfaction


def _unit(request: AuthenticatedHttpRequest, unit_id: int | None) -> AdministrativeUnit:
    units = selectors.managed_units(request.user)
    if unit_id is None:
        unit = selectors.top_units(request.user).first()
        if unit is None:
            raise PermissionDenied(_("Dashboards are for managers."))
        return unit
    unit = units.filter(pk=unit_id).first()
    if unit is None:
        raise Http404  # outside the manager's units: not even confirmed to exist
    return unit


def _dashboard(request: AuthenticatedHttpRequest, unit_id: int | None):
    unit = _unit(request, unit_id)
    form = PeriodForm(request.GET or None)
    sector = form.chosen_sector()
    data = selectors.dashboard(
        request.user, unit, form.period(), sector_id=sector.pk if sector else None
    )
    return form, data


def _charts(data: selectors.Dashboard) -> dict[str, str]:
    counts = data.indicators.counts
    labels = [f"{row.month:%m}" for row in data.months]

    def monthly(name: str, source: str = "counts") -> list:
        return [getattr(row.indicators, source)[name] for row in data.months]

    return {
        "channel_chart": charts.bars(
            [_("Counter"), _("Online"), _("Post")],
            [
                charts.Series(
                    _("Dossiers received"),
                    [
                        counts["received_counter"],
                        counts["received_online"],
                        counts["received_postal"],
                    ],
                )
            ],
            title=_("Dossiers received by channel"),
            description=_("Counter, online and postal receptions in the period."),
            width=420,
        ),
        "volume_chart": charts.bars(
            labels,
            [
                charts.Series(_("Received"), monthly("received")),
                charts.Series(_("Resolved"), monthly("resolved")),
            ],
            title=_("Dossiers received and resolved per month"),
            description=_("Monthly counts of the year."),
        ),
        "rate_chart": charts.lines(
            labels,
            [
                charts.Series(_("On time"), monthly("on_time_rate", "rates")),
                charts.Series(_("Online"), monthly("online_rate", "rates")),
            ],
            title=_("On-time rate and online rate per month"),
            description=_("Percentages per month; a gap means nothing to measure."),
        ),
        "timeliness_chart": charts.bars(
            [_("Resolved")],
            [
                charts.Series(_("Early"), [counts["resolved_early"]]),
                charts.Series(_("On time"), [counts["resolved_on_time"]]),
                charts.Series(_("Late"), [counts["resolved_late"]]),
            ],
            title=_("Timeliness of the dossiers resolved"),
            description=_("Early, on time and late among the dossiers resolved in the period."),
            width=420,
            height=220,
            stacked=True,
        ),
    }


HEADLINE = [
    ("on_time_rate", gettext_lazy("Resolved early or on time")),
    ("online_rate", gettext_lazy("Received online")),
    ("satisfaction_rate", gettext_lazy("Satisfied applicants")),
    ("digitization_rate", gettext_lazy("Digitised at reception")),
    ("online_payment_rate", gettext_lazy("Fees paid online")),
    ("resolution_rate", gettext_lazy("Resolved of those to process")),
]


def _headline(data: selectors.Dashboard) -> list[tuple]:
    counts = data.indicators.counts
    headline = []
    for name, label in HEADLINE:
        numerators, denominator = RATES[name]
        headline.append((name, label, sum(counts[n] for n in numerators), counts[denominator]))
    return headline


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@require_GET
@login_required
def dashboard(request: AuthenticatedHttpRequest, unit_id: int | None = None) -> HttpResponse:
    services.snapshots_refresh_when_unscheduled()
    form, data = _dashboard(request, unit_id)
    query = request.GET.urlencode()

    def figures_html() -> str:
        # No request: the fragment must not carry anything of the manager who asked.
        context = {
            "form": form,
            "data": data,
            "query": query,
            "headline": _headline(data),
            **_charts(data),
        }
        return render_to_string("reporting/_dashboard_figures.html", context)

    # The form and the links carry the query as typed.
    parts = (*data.cache_parts("dashboard-html"), get_language(), _digest(query))
    context = {
        "data": data,
        "query": query,
        "figures_html": mark_safe(cached_figures(parts, figures_html)),  # noqa: S308 - rendered by us
        "export_tables": [
            ("summary", _("This unit")),
            ("units", _("Units below")),
            ("months", _("Months")),
        ],
    }
    return render(request, "reporting/dashboard.html", context)


@require_GET
@login_required
def report(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """The dashboard as a PDF report, with the same charts."""
    _, data = _dashboard(request, unit_id)
    return exports.pdf(data, _charts(data))


@require_GET
@login_required
def overdue(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """The dossiers of the unit open and overdue now, most overdue first (live)."""
    unit = _unit(request, unit_id)
    sector = PeriodForm(request.GET or None).chosen_sector()
    dossiers = selectors.overdue_dossiers(
        request.user, unit, sector_id=sector.pk if sector else None
    )
    page = Paginator(dossiers, 50).get_page(request.GET.get("page"))
    return render(request, "reporting/overdue.html", {"unit": unit, "page": page})


@require_GET
@login_required
def officers(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """Satisfaction per officer of the unit and the units below, for the period."""
    unit = _unit(request, unit_id)
    form = PeriodForm(request.GET or None)
    sector = form.chosen_sector()
    scope = Scope.of_unit(unit, sector_id=sector.pk if sector else None)
    rows = officer_satisfaction(scope, form.period())
    return render(
        request,
        "reporting/officers.html",
        {
            "unit": unit,
            "form": form,
            "period": form.period(),
            "rows": rows,
            "query": request.GET.urlencode(),
        },
    )


@require_GET
@login_required
def dossier(request: AuthenticatedHttpRequest, dossier_id) -> HttpResponse:
    found = (
        dossiers_visible_to(request.user)
        .select_related("procedure", "agency", "unit", "reception_point")
        .filter(pk=dossier_id)
        .first()
    )
    if found is None or not selectors.managed_units(request.user).filter(pk=found.unit_id).exists():
        raise Http404
    return render(
        request,
        "reporting/dossier.html",
        {
            "dossier": found,
            "timeliness": dossier_timeliness(found),
            "hand_overs": found.hand_overs.all(),
            "pauses": found.pauses.all(),
        },
    )


@require_GET
@login_required
def export(
    request: AuthenticatedHttpRequest, unit_id: int, table: str, fmt: str
) -> HttpResponseBase:
    _, data = _dashboard(request, unit_id)
    if table not in exports.TABLES or fmt not in exports.FORMATS:
        raise Http404
    return exports.response(data, table, fmt, request.user, header=request.GET.get("header"))


TARGET_LABELS = {
    "on_time_rate": gettext_lazy("Resolved early or on time"),
    "online_rate": gettext_lazy("Received online"),
    "satisfaction_rate": gettext_lazy("Satisfied applicants"),
    "digitization_rate": gettext_lazy("Digitised at reception"),
    "online_payment_rate": gettext_lazy("Fees paid online"),
    "postal_return_rate": gettext_lazy("Results returned by post"),
    "late_rate": gettext_lazy("Resolved late (lower is better)"),
}


@login_required
def targets(request: AuthenticatedHttpRequest, unit_id: int) -> HttpResponse:
    """Chỉ tiêu: the manager sets the targets the dashboard colours against."""
    unit = _unit(request, unit_id)
    current = dict(Target.objects.filter(unit=unit).values_list("indicator", "value"))
    form = TargetsForm(request.POST or None, labels=TARGET_LABELS, initial_values=current)
    if request.method == "POST" and form.is_valid():
        changed = services.targets_set(unit=unit, values=form.cleaned_data, actor=request.user)
        messages.success(request, _("%(count)d targets saved.") % {"count": changed})
        return redirect("reporting:unit", unit_id=unit.pk)
    return render(request, "reporting/targets.html", {"unit": unit, "form": form})
