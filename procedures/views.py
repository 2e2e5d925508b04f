"""The public procedure catalogue (pages); the API is in procedures.api."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from procedures import selectors
from procedures.forms import CatalogueSearchForm
from procedures.selectors import CatalogueFilters

PAGE_SIZE = 20
LISTED_AGENCIES = 5


@require_GET
def procedure_list(request: HttpRequest) -> HttpResponse:
    form = CatalogueSearchForm(request.GET or None, facets=selectors.catalogue_facets())
    # Bad filter values (an old bookmark, a hand-edited URL) show the form's errors
    # beside an unfiltered list rather than an error page.
    filters = form.filters() if form.is_valid() else CatalogueFilters()
    paginator = Paginator(selectors.procedure_list(filters=filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "procedures/procedure_list.html",
        {
            "form": form,
            "page": page,
            "filtered": filters != CatalogueFilters(query=filters.query),
            "query_string": query.urlencode(),
        },
    )


@require_GET
def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = selectors.procedure_detail(code=code)
    if procedure is None:
        raise Http404
    # A commune procedure is settled by every commune: name the agencies only when few.
    agencies = list(selectors.procedure_agencies(procedure=procedure)[: LISTED_AGENCIES + 1])
    return render(
        request,
        "procedures/procedure_detail.html",
        {
            "procedure": procedure,
            "reception_points": list(selectors.procedure_reception_points(procedure=procedure)),
            "agencies": agencies if len(agencies) <= LISTED_AGENCIES else [],
        },
    )
