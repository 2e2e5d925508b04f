from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from procedures import selectors as organisation


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "citizen/home.html", {"figures": organisation.public_figures()})
